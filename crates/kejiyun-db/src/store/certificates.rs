//! The certificate engine's store: issue (idempotent per holder, kind and subject), look up by
//! code, list a holder's.

use async_trait::async_trait;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::certificates::ports::CertificateStore;
use kejiyun_core::certificates::{Certificate, CertificateKind, NewCertificate, VerificationCode};
use kejiyun_core::ids::UserId;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::{SeaStore, audit, begin_write, corrupt, db_err, parse_region};
use crate::entities::certificates::{self, Column as C};

fn to_certificate(row: certificates::Model) -> StoreResult<Certificate> {
    Ok(Certificate {
        of: NewCertificate {
            kind: CertificateKind::parse(&row.kind)
                .ok_or_else(|| corrupt("certificate kind", &row.kind))?,
            region: parse_region(&row.region)?,
            subject: row.subject,
            holder: UserId(row.holder_id),
            holder_name: row.holder_name,
            title: row.title,
            detail: row.detail,
            issuer: row.issuer,
            issued_at: Timestamp(row.issued_at),
        },
        code: VerificationCode::from_stored(row.code),
    })
}

async fn find_for<C2: ConnectionTrait>(
    db: &C2,
    kind: CertificateKind,
    subject: &str,
    holder: UserId,
) -> StoreResult<Option<Certificate>> {
    certificates::Entity::find()
        .filter(C::HolderId.eq(holder.0))
        .filter(C::Kind.eq(kind.as_str()))
        .filter(C::Subject.eq(subject))
        .one(db)
        .await
        .map_err(db_err)?
        .map(to_certificate)
        .transpose()
}

async fn issue(
    db: &DatabaseConnection,
    new: &NewCertificate,
    code: &VerificationCode,
    record: &AuditRecord,
) -> StoreResult<Certificate> {
    let txn = begin_write(db).await?;
    if let Some(existing) = find_for(&txn, new.kind, &new.subject, new.holder).await? {
        txn.commit().await.map_err(db_err)?;
        return Ok(existing);
    }
    // A concurrent issue of the same certificate, or a code collision, fails the unique index
    // (a conflict): the use case asks again, and then finds the row.
    certificates::Entity::insert(certificates::ActiveModel {
        code: Set(code.as_str().to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        subject: Set(new.subject.clone()),
        holder_id: Set(new.holder.0),
        holder_name: Set(new.holder_name.clone()),
        title: Set(new.title.clone()),
        detail: Set(new.detail.clone()),
        issuer: Set(new.issuer.clone()),
        region: Set(new.region.to_string()),
        issued_at: Set(new.issued_at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?;
    audit::insert(&txn, record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(Certificate {
        code: code.clone(),
        of: new.clone(),
    })
}

#[async_trait]
impl CertificateStore for SeaStore {
    async fn issue_certificate(
        &self,
        new: &NewCertificate,
        code: &VerificationCode,
        audit: &AuditRecord,
    ) -> StoreResult<Certificate> {
        retry!(issue(&self.db, new, code, audit))
    }

    async fn certificate_by_code(
        &self,
        code: &VerificationCode,
    ) -> StoreResult<Option<Certificate>> {
        certificates::Entity::find()
            .filter(C::Code.eq(code.as_str()))
            .one(&self.reader)
            .await
            .map_err(db_err)?
            .map(to_certificate)
            .transpose()
    }

    async fn certificates_of(&self, holder: UserId) -> StoreResult<Vec<Certificate>> {
        certificates::Entity::find()
            .filter(C::HolderId.eq(holder.0))
            .order_by_desc(C::Id)
            .all(&self.reader)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(to_certificate)
            .collect()
    }

    async fn certificate_for(
        &self,
        kind: CertificateKind,
        subject: &str,
        holder: UserId,
    ) -> StoreResult<Option<Certificate>> {
        find_for(&self.db, kind, subject, holder).await
    }
}
