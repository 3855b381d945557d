//! `stat_series_guard`: one row that lets `stats rebuild` run beside writing servers. Every
//! write that changes the series takes it in share mode first; a rebuild takes it exclusively,
//! so writers wait for the rebuild (holding no series row it needs: no deadlock) and then add
//! their change to the rebuilt figures.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "stat_series_guard";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TABLE);
        t.col(integer("id").primary_key());
        manager.create_table(t).await?;
        let only = Query::insert()
            .into_table(TABLE)
            .columns(["id"])
            .values([1.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.exec_stmt(only).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
