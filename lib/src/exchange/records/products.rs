//! Products files: a row creates a product or updates the one it finds.

use rust_decimal::Decimal;

use super::{RowResult, decimal, record_problems};
use crate::exchange::csv_rows::{FieldSpec, Row};
use crate::exchange::staged::external_key;
use crate::exchange::{Workspace, id_from, source_key};
use crate::model::{Kind, Product};

/// The columns of a products file: those an export writes, and the fields an
/// import maps by default.
pub const COLUMNS: &[&str] = &[
    "id",
    "external_id",
    "name",
    "category",
    "price",
    "cost",
    "segment",
];

pub const PRODUCT_FIELDS: FieldSpec = FieldSpec {
    fields: &[COLUMNS],
    aliases: &[("sku", "id")],
    custom: false,
    lists: &[],
    verbatim: &[],
};

/// A product row: found by its `external_id`, else by its SKU (`id`), else,
/// without a SKU, by its name ([`Workspace::find_product`]). A new product's
/// id is made from its SKU or name, made distinct when taken; it keeps its SKU
/// as `external_id` when the id differs from it, and its name when the id had
/// to be made distinct, so a re-import finds it again.
pub(super) fn product_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let mut errors = Vec::new();
    let sku = row.get("id");
    let key = sku.or(row.get("name"));
    let existing = row
        .get("external_id")
        .and_then(|e| ws.products.find_key(&external_key(e)))
        .or_else(|| key.and_then(|key| ws.find_product(key)));
    let mut product = match existing {
        Some(index) => ws.products.get(index).clone(),
        None => {
            let name = row.get("name").ok_or_else(|| {
                vec!["a new product needs a name (map a column to `name`)".to_string()]
            })?;
            if row.get("price").is_none() {
                return Err(vec!["a new product needs a price".into()]);
            }
            let made_from = sku.unwrap_or(name);
            let (taken, id) = ws.new_product_id(made_from, &[]).map_err(|e| vec![e])?;
            let keeps_key = id != taken || sku.is_some_and(|sku| sku != id);
            Product {
                external_id: keeps_key.then(|| made_from.to_string()),
                id,
                name: name.to_string(),
                category: None,
                price: Decimal::ZERO,
                cost: None,
                segment: None,
                upgrade_after_years: None,
                successor: None,
                conflicts: Vec::new(),
            }
        }
    };
    // A SKU that found a product by its slug stays with it: another spelling
    // of the slug is another product.
    if let Some(sku) = sku
        && product.external_id.is_none()
        && sku != product.id
    {
        product.external_id = Some(sku.to_string());
    }
    for (field, value) in &row.values {
        let text = Some(value.clone());
        match field.as_str() {
            "external_id" => product.external_id = text,
            "name" => product.name = value.clone(),
            "category" => product.category = text,
            "segment" => product.segment = text,
            "price" => {
                if let Some(price) = decimal(value, "price", &mut errors) {
                    product.price = price;
                }
            }
            "cost" => product.cost = decimal(value, "cost", &mut errors).or(product.cost),
            _ => {}
        }
    }
    errors.extend(record_problems(ws, &product));
    if !errors.is_empty() {
        return Err(errors);
    }
    if existing.is_none() {
        note_product_id(ws, &product);
    }
    ws.products.put(existing, product);
    Ok(())
}

/// Notes a new product's id when the SKU or name it was made from makes another.
pub(super) fn note_product_id(ws: &mut Workspace, product: &Product) {
    let made_from = source_key(product).to_string();
    if let Some(taken) = id_from(&made_from) {
        ws.note_id(Kind::Product, &made_from, &taken, &product.id);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ids, import, import_clean, only, workspace};
    use crate::exchange::ImportKind::Products;

    #[test]
    fn a_row_makes_a_product_that_keeps_a_sku_which_is_no_id() {
        let mut ws = workspace(Vec::new());
        import_clean(
            &mut ws,
            Products,
            "sku,name,price,cost,category\n85123A,Heart Holder,2.55,1.10,decor\n",
        );
        let holder = only(ws.products.all());
        assert_eq!(holder.id, "85123a");
        assert_eq!(holder.external_id.as_deref(), Some("85123A"));
        assert_eq!(holder.name, "Heart Holder");
        assert_eq!(holder.price.to_string(), "2.55");
        assert_eq!(holder.cost.map(|c| c.to_string()).as_deref(), Some("1.10"));
        assert_eq!(holder.category.as_deref(), Some("decor"));
    }

    #[test]
    fn bad_values_name_their_line_and_field_and_change_nothing() {
        let mut ws = workspace(Vec::new());
        let problems = import(
            &mut ws,
            Products,
            "id,name,price,cost\ntoner,Toner,12.x,\nmouse,Mouse,19,-2\npaper,Paper,4,1\n",
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("2: price: "), "{problems:?}");
        assert_eq!(problems[1], "3: cost `-2` must not be negative");
        assert_eq!(ids(ws.products.all()), ["paper"]);
    }

    #[test]
    fn a_new_product_needs_a_name_and_a_price() {
        let mut ws = workspace(Vec::new());
        let problems = import(&mut ws, Products, "id,price\ntoner,12\n");
        assert_eq!(
            problems,
            ["2: a new product needs a name (map a column to `name`)"]
        );
        let problems = import(&mut ws, Products, "id,name\ntoner,Toner\n");
        assert_eq!(problems, ["2: a new product needs a price"]);
        assert!(ws.products.all().is_empty());
    }

    #[test]
    fn a_sku_given_twice_is_one_product_and_the_later_row_wins() {
        let mut ws = workspace(Vec::new());
        import_clean(
            &mut ws,
            Products,
            "sku,name,price\nAB-1,Toner,12\nAB-1,Toner XL,14\n",
        );
        let toner = only(ws.products.all());
        assert_eq!(
            (toner.name.as_str(), toner.price.to_string()),
            ("Toner XL", "14".into())
        );
    }
}
