//! Figures computed per customer from the records up to an as-of date: order
//! totals, RFM scores, contact and deal counts, and the predicted value of
//! the BG/NBD and Gamma-Gamma models (`clv`). Both the filter language and
//! the reports use them, so they sit below both and use nothing but records.

pub mod clv;
pub mod facts;
pub mod orders;
pub mod rfm;
