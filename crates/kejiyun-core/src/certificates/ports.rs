//! The storage port of the certificate engine.

use async_trait::async_trait;

use super::{Certificate, CertificateKind, NewCertificate, VerificationCode};
use crate::audit::AuditRecord;
use crate::ids::UserId;
use crate::ports::StoreResult;

#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// Stores `new` under `code` with its audit entry, in one transaction; if the holder
    /// already has a certificate of this kind for this subject, returns that one unchanged
    /// (`code` and `audit` are then unused).
    async fn issue_certificate(
        &self,
        new: &NewCertificate,
        code: &VerificationCode,
        audit: &AuditRecord,
    ) -> StoreResult<Certificate>;
    async fn certificate_by_code(
        &self,
        code: &VerificationCode,
    ) -> StoreResult<Option<Certificate>>;
    /// The holder's certificates, newest first.
    async fn certificates_of(&self, holder: UserId) -> StoreResult<Vec<Certificate>>;
    /// The holder's certificate of this kind for this subject, if issued.
    async fn certificate_for(
        &self,
        kind: CertificateKind,
        subject: &str,
        holder: UserId,
    ) -> StoreResult<Option<Certificate>>;
}
