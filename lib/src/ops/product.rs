//! The product catalogue.

use crate::error::{Error, Result};
use crate::model::{Kind, Product};
use crate::store::Store;

/// Adds a product; its SKU is its id. A successor must exist.
pub fn add(store: &Store, product: Product) -> Result<Product> {
    if store.exists(Kind::Product, &product.id) {
        return Err(
            Error::failed(format!("product `{}` already exists", product.id))
                .with_hint(format!("see it with `relate product show {}`", product.id)),
        );
    }
    if let Some(successor) = &product.successor {
        store.require(Kind::Product, successor)?;
    }
    let mut tx = store.begin()?;
    tx.put(&product)?;
    tx.commit(&format!("product add: {} ({})", product.id, product.name))?;
    Ok(product)
}
