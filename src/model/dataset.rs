//! All records of a store in memory, as the checks and reports see them.

use std::collections::HashMap;

use super::{Customer, Deal, Interaction, Order, Product, Settings};

#[derive(Debug, Clone)]
pub struct Dataset {
    pub settings: Settings,
    pub customers: Vec<Customer>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
}

impl Dataset {
    pub fn empty(settings: Settings) -> Self {
        Dataset {
            settings,
            customers: Vec::new(),
            interactions: Vec::new(),
            deals: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
        }
    }

    pub fn products_by_id(&self) -> HashMap<&str, &Product> {
        self.products.iter().map(|p| (p.id.as_str(), p)).collect()
    }
}
