//! The certificate engine's use cases: issuing (for a module that has checked eligibility),
//! the public verification, and a holder's own certificates.

use crate::audit::AuditRecord;
use crate::certificates::{Certificate, CertificateView, NewCertificate, VerificationCode};
use crate::permissions::Actor;
use crate::ports::StoreError;
use crate::{DomainError, DomainResult};

use_cases!(
    Certificates,
    certificates,
    "Certificates with a public verify page"
);

/// What the verify page says for an unknown code: a forged, altered or mistyped code is
/// told apart from nothing else.
fn not_found() -> DomainError {
    DomainError::NotFound("未找到该证书：编号不存在，或证书内容被改动过".into())
}

impl Certificates<'_> {
    /// Issues `new` (idempotent: the holder's certificate for the same subject is returned if
    /// it exists). The calling module has checked that the holder earned it. Codes are random;
    /// a collision with an existing code (75 bits: not expected) is retried with a new one.
    pub async fn issue(&self, new: &NewCertificate) -> DomainResult<Certificate> {
        for _ in 0..3 {
            let code = VerificationCode::generate();
            let audit = AuditRecord {
                actor: Some(new.holder),
                at: new.issued_at,
                action: "certificate.issue".into(),
                target_kind: "certificate".into(),
                target_id: code.as_str().to_owned(),
                region: Some(new.region),
                before: None,
                after: Some(serde_json::json!({
                    "kind": new.kind.as_str(),
                    "subject": new.subject,
                    "detail": new.detail,
                })),
            };
            match self.store.issue_certificate(new, &code, &audit).await {
                Err(StoreError::Conflict(_)) => continue,
                other => return Ok(other?),
            }
        }
        Err(DomainError::Internal(
            "three certificate codes in a row collided".into(),
        ))
    }

    /// The public check of a code as printed or typed: the certificate as issued, the name
    /// masked. No login.
    pub async fn verify(&self, raw_code: &str) -> DomainResult<CertificateView> {
        let code = VerificationCode::parse(raw_code).map_err(|_| not_found())?;
        let cert = self.store.certificate_by_code(&code).await?;
        cert.map(|c| c.public_view()).ok_or_else(not_found)
    }

    /// A certificate for its holder (or an admin of its region) to download; anyone else is
    /// told it does not exist.
    pub async fn for_download(&self, actor: &Actor, raw_code: &str) -> DomainResult<Certificate> {
        let code = VerificationCode::parse(raw_code).map_err(|_| not_found())?;
        match self.store.certificate_by_code(&code).await? {
            Some(c) if c.of.holder == actor.user_id || actor.administers(c.of.region) => Ok(c),
            _ => Err(not_found()),
        }
    }

    /// The actor's own certificates, newest first.
    pub async fn mine(&self, actor: &Actor) -> DomainResult<Vec<Certificate>> {
        Ok(self.store.certificates_of(actor.user_id).await?)
    }
}
