//! Helpers for test harnesses (feature `testing`): throw-away databases on a PostgreSQL or
//! MySQL/MariaDB server the tests were pointed at, and probes of database-level invariants.

use sea_orm::{ConnectionTrait, Database, DbBackend, DbErr};

use crate::SeaStore;

/// `admin_url` with its database (path) replaced by `name`.
pub fn url_with_database(admin_url: &str, name: &str) -> Result<String, String> {
    let mut u = url::Url::parse(admin_url).map_err(|e| e.to_string())?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// Creates database `name` on the server `admin_url` points at.
pub async fn create_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    assert_safe_name(name);
    let db = Database::connect(admin_url).await?;
    let sql = match db.get_database_backend() {
        DbBackend::MySql => {
            format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        }
        _ => format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8'"),
    };
    db.execute_unprepared(&sql).await?;
    db.close().await
}

/// Drops database `name` (a test's own) from the server `admin_url` points at.
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    assert_safe_name(name);
    let db = Database::connect(admin_url).await?;
    let sql = match db.get_database_backend() {
        DbBackend::MySql => format!("DROP DATABASE IF EXISTS `{name}`"),
        _ => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    };
    db.execute_unprepared(&sql).await?;
    db.close().await
}

/// Only names the harness makes itself are ever created or dropped.
fn assert_safe_name(name: &str) {
    assert!(
        name.starts_with("kjy_test_")
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "refusing to touch database {name:?}"
    );
}

/// Tries to rewrite and delete audit entries directly; both must be refused by the database.
pub async fn audit_log_rejects_tampering(store: &SeaStore) -> bool {
    let db = store.connection();
    let update = db
        .execute_unprepared("UPDATE audit_log SET action = 'tampered'")
        .await;
    let delete = db.execute_unprepared("DELETE FROM audit_log").await;
    update.is_err() && delete.is_err()
}

/// Outbox rows (kind, item id, op) in order, for checking what search will see.
pub async fn outbox(store: &SeaStore) -> Result<Vec<(String, i64, String)>, DbErr> {
    use sea_orm::{EntityTrait, QueryOrder};

    use crate::entities::outbox;
    Ok(outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(store.connection())
        .await?
        .into_iter()
        .map(|r| (r.kind, r.item_id, r.op))
        .collect())
}

/// The first column of every row a query returns, as text (`None` for NULL): what the
/// database itself holds, for checks that personal data is stored sealed.
pub async fn texts(store: &SeaStore, sql: &str) -> Result<Vec<Option<String>>, DbErr> {
    let backend = store.backend();
    let rows = store
        .connection()
        .query_all_raw(sea_orm::Statement::from_string(backend, sql))
        .await?;
    rows.iter().map(|r| r.try_get_by_index(0)).collect()
}

/// Runs one SQL statement and returns the rows it touched (tests corrupt served figures with
/// it on purpose, to check that a rebuild restores them).
pub async fn execute(store: &SeaStore, sql: &str) -> Result<u64, DbErr> {
    Ok(store
        .connection()
        .execute_unprepared(sql)
        .await?
        .rows_affected())
}

/// Reverts the last `steps` migrations (to test what `migrate` does on an older schema).
pub async fn migrate_down(store: &SeaStore, steps: u32) -> Result<(), DbErr> {
    use sea_orm_migration::MigratorTrait;
    crate::migrations::Migrator::down(store.connection(), Some(steps)).await
}

/// Reverts every migration after the one named `last_kept` (e.g.
/// `m20261129_000005_notifications`), however many later ones there are.
pub async fn migrate_down_to(store: &SeaStore, last_kept: &str) -> Result<(), DbErr> {
    use sea_orm_migration::MigratorTrait;
    let all = crate::migrations::Migrator::migrations();
    let Some(at) = all.iter().position(|m| m.name() == last_kept) else {
        return Err(DbErr::Custom(format!("no migration named {last_kept}")));
    };
    let steps = u32::try_from(all.len() - at - 1).unwrap_or(u32::MAX);
    migrate_down(store, steps).await
}
