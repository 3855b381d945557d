//! The certificate engine's storage contract (`certificates::ports::CertificateStore`), on
//! every configured backend: a certificate is found by its code and listed for its holder;
//! issuing the same one again returns it unchanged; a code is never given twice; concurrent
//! issues of one certificate leave one row.

use kejiyun_core::audit::AuditRecord;
use kejiyun_core::certificates::ports::CertificateStore;
use kejiyun_core::certificates::{CertificateKind, NewCertificate, VerificationCode};
use kejiyun_core::ids::UserId;
use kejiyun_core::ports::StoreError;
use kejiyun_core::regions::RegionCode;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{fresh_store, must, sh, user};

fn new(holder: UserId, subject: &str) -> NewCertificate {
    NewCertificate {
        kind: CertificateKind::Training,
        subject: subject.into(),
        holder,
        holder_name: "张小三".into(),
        title: "柑橘黄龙病防控技术培训".into(),
        detail: "出勤 2 次（共 2 次课）".into(),
        issuer: "邻水县科学技术协会".into(),
        region: RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
        issued_at: sh(2026, 12, 7, 10, 0, 0),
    }
}

fn audit(new: &NewCertificate, code: &VerificationCode) -> AuditRecord {
    AuditRecord {
        actor: Some(new.holder),
        at: new.issued_at,
        action: "certificate.issue".into(),
        target_kind: "certificate".into(),
        target_id: code.as_str().into(),
        region: Some(new.region),
        before: None,
        after: None,
    }
}

async fn issue(
    store: &SeaStore,
    new: &NewCertificate,
    code: &VerificationCode,
) -> Result<kejiyun_core::certificates::Certificate, StoreError> {
    store.issue_certificate(new, code, &audit(new, code)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store certificates: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let holder = user(store, "学员").await;
    let other = user(store, "旁人").await;

    // Issued, found by code, listed for the holder only.
    let first = new(holder, "training:1");
    let code = VerificationCode::generate();
    let cert = must(issue(store, &first, &code).await);
    assert_eq!(cert.code, code);
    let found = must(store.certificate_by_code(&code).await);
    assert_eq!(found.as_ref(), Some(&cert), "read back as issued");
    assert_eq!(
        must(store.certificates_of(holder).await),
        vec![cert.clone()]
    );
    assert!(must(store.certificates_of(other).await).is_empty());
    assert!(
        must(
            store
                .certificate_by_code(&VerificationCode::generate())
                .await
        )
        .is_none(),
        "an unknown code finds nothing"
    );

    // The same certificate again: the one issued, its code unchanged.
    let again = must(issue(store, &first, &VerificationCode::generate()).await);
    assert_eq!(again, cert);
    assert_eq!(
        must(
            store
                .certificate_for(CertificateKind::Training, "training:1", holder)
                .await
        ),
        Some(cert.clone())
    );
    assert_eq!(
        must(
            store
                .certificate_for(CertificateKind::Volunteer, "training:1", holder)
                .await
        ),
        None,
        "another kind is another certificate"
    );

    // A code already given is refused (the use case then draws another).
    let second = new(holder, "training:2");
    assert!(
        matches!(
            issue(store, &second, &code).await,
            Err(StoreError::Conflict(_))
        ),
        "a code is never given twice"
    );
    must(issue(store, &second, &VerificationCode::generate()).await);
    assert_eq!(must(store.certificates_of(holder).await).len(), 2);

    // Two concurrent asks for one certificate: one row; the loser sees a conflict or the row.
    let third = new(other, "training:3");
    let (a, b) = (VerificationCode::generate(), VerificationCode::generate());
    let (ra, rb) = tokio::join!(issue(store, &third, &a), issue(store, &third, &b));
    let mut issued = Vec::new();
    for r in [ra, rb] {
        match r {
            Ok(c) => issued.push(c.code),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("store error: {e}"),
        }
    }
    let rows = must(store.certificates_of(other).await);
    assert_eq!(rows.len(), 1, "one certificate");
    assert!(issued.iter().all(|c| *c == rows[0].code), "{issued:?}");
}
