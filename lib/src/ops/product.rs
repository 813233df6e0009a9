//! The product catalogue.

use crate::error::{Error, Result};
use crate::model::{Kind, Product};
use crate::store::Store;

/// Adds a product; its SKU is its id. A successor must exist.
pub fn add(store: &Store, product: Product) -> Result<Product> {
    if store.exists(Kind::Product, &product.id) {
        return Err(Error::Exists {
            kind: Kind::Product.name(),
            id: product.id,
        });
    }
    if let Some(successor) = &product.successor {
        store.require(Kind::Product, successor)?;
    }
    let mut tx = store.begin()?;
    tx.put(&product)?;
    tx.commit(&format!("product add: {} ({})", product.id, product.name))?;
    Ok(product)
}
