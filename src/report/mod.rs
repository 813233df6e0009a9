//! Reports: pure functions from a [`Dataset`](crate::model::Dataset) and an
//! as-of date to figures, which the command line prints as tables or JSON.

pub mod basket;
pub mod demand;
pub mod forecast;
pub mod funnel;
