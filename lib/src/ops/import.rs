//! Writing what an import staged, in one commit.

use crate::error::Result;
use crate::exchange::Workspace;
use crate::exchange::staged::{Importable, Staged};
use crate::store::{Store, Transaction, record_path};

/// Writes every created and updated record of `ws` in one commit with
/// `message`, calling `progress` after each record. Files are flushed to disk
/// once, at the commit, rather than one by one.
pub fn write(
    store: &Store,
    ws: &Workspace,
    message: &str,
    mut progress: impl FnMut(),
) -> Result<()> {
    let mut tx = store.begin()?;
    tx.sync_at_commit();
    write_changes(&mut tx, &ws.customers, &mut progress)?;
    write_changes(&mut tx, &ws.products, &mut progress)?;
    write_changes(&mut tx, &ws.deals, &mut progress)?;
    write_changes(&mut tx, &ws.orders, &mut progress)?;
    write_changes(&mut tx, &ws.interactions, &mut progress)?;
    tx.commit(message)
}

/// Writes the changed records of one kind; a dated record whose date moved it
/// to another month leaves its old file.
fn write_changes<T: Importable>(
    tx: &mut Transaction,
    staged: &Staged<T>,
    progress: &mut impl FnMut(),
) -> Result<()> {
    for (_, record, original) in staged.changes() {
        if let Some(original) = original
            && record_path(original) != record_path(record)
        {
            tx.remove(original)?;
        }
        tx.put(record)?;
        progress();
    }
    Ok(())
}
