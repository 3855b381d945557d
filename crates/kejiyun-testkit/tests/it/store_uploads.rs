//! The upload storage contract (`uploads::ports::UploadStore`), on every configured backend:
//! the file is on disk under its id (no temporary file left) before its row is read back
//! whole; unknown ids are absent; photos come back per question and per answer, in their
//! order.

use kejiyun_core::market::ports::{PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::notifications;
use kejiyun_core::questions::ports::{NewAnswer, QuestionStore};
use kejiyun_core::questions::{AnswerState, QuestionDraft, QuestionInput};
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::ports::{NewUpload, PhotoTarget, UploadStore};
use kejiyun_core::uploads::{Upload, UploadId, UploadKind, relative_path};
use kejiyun_db::{FileStore, SeaStore};
use kejiyun_testkit::backends;

use crate::store_stats::{fresh_store, must, posting_change, user};

fn new_upload(owner: kejiyun_core::ids::UserId, n: u8) -> NewUpload {
    let bytes = vec![0xff, 0xd8, 0xff, n, 1, 2, 3];
    NewUpload {
        upload: Upload {
            id: UploadId::random(),
            owner,
            kind: UploadKind::Image,
            mime: "image/jpeg".into(),
            size: bytes.len() as u64,
            width: Some(640),
            height: Some(480),
            sha256: format!("{n:064x}"),
            original_name: format!("田间照片{n}.jpg"),
            has_thumb: true,
            created_at: Timestamp::from_micros(1_700_000_000_000_000 + i64::from(n)),
        },
        bytes,
        thumb: Some(vec![0xff, 0xd8, 0xff, n]),
    }
}

fn question() -> QuestionDraft {
    QuestionDraft::parse(&QuestionInput {
        title: "柑橘叶片发黄".into(),
        text: "家里十几棵柑橘树的叶片出现斑驳黄化，已经两个月了。".into(),
        category: "fruit".into(),
        region: "511623".into(),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Every file below `dir`, relative.
fn files_below(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn upload_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store uploads: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        contract(&store, &store.files(dir.path()), dir.path()).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore, files: &FileStore, dir: &std::path::Path) {
    let owner = user(store, "提问农户").await;
    let a = new_upload(owner, 1);
    let b = new_upload(owner, 2);
    must(files.save_upload(a.clone()).await);
    must(files.save_upload(b.clone()).await);

    // The file and its thumbnail under the id, as written; nothing else (no temporary file).
    let (ua, ub) = (&a.upload, &b.upload);
    let main = relative_path(&ua.id, &ua.mime, false);
    assert_eq!(std::fs::read(dir.join(&main)).ok(), Some(a.bytes.clone()));
    assert_eq!(files.file_path(ua, false), dir.join(&main));
    assert_eq!(
        std::fs::read(files.file_path(ua, true)).ok(),
        a.thumb.clone()
    );
    let mut expected = vec![
        main,
        relative_path(&ua.id, &ua.mime, true),
        relative_path(&ub.id, &ub.mime, false),
        relative_path(&ub.id, &ub.mime, true),
    ];
    expected.sort();
    assert_eq!(files_below(dir), expected);

    // Rows read back whole; an unknown id is simply absent.
    let mut read = must(
        files
            .uploads(&[ub.id.clone(), UploadId::random(), ua.id.clone()])
            .await,
    );
    read.sort_by_key(|u| u.created_at);
    assert_eq!(read, vec![ua.clone(), ub.clone()]);
    assert!(must(files.uploads(&[]).await).is_empty());

    // Photos of a question, in the order given; another question has none.
    let at = Timestamp::from_micros(1_700_000_100_000_000);
    let q = must(store.create_posting(owner, &question(), at, None).await);
    let other = must(store.create_posting(owner, &question(), at, None).await);
    must(
        files
            .attach_photos(PhotoTarget::Question(q), &[ub.id.clone(), ua.id.clone()])
            .await,
    );
    must(files.attach_photos(PhotoTarget::Question(other), &[]).await);
    let photos = must(
        files
            .photos(&[PhotoTarget::Question(q), PhotoTarget::Question(other)])
            .await,
    );
    let ids: Vec<(PhotoTarget, &str)> = photos.iter().map(|(t, u)| (*t, u.id.as_str())).collect();
    assert_eq!(
        ids,
        vec![
            (PhotoTarget::Question(q), ub.id.as_str()),
            (PhotoTarget::Question(q), ua.id.as_str())
        ]
    );
    assert_eq!(&photos[0].1, ub);
    assert!(must(files.photos(&[PhotoTarget::Question(other)]).await).is_empty());

    // Photos of an answer (of a published question), read together with the question's.
    let submit = Some(posting_change(S::Draft, S::Pending, at, None));
    let published = must(store.create_posting(owner, &question(), at, submit).await);
    let publish = posting_change(S::Pending, S::Published, at, None);
    must(
        store
            .change_posting_status(PostingKind::Question, published.0, publish)
            .await,
    );
    let expert = user(store, "李农艺师").await;
    let answer = must(
        store
            .add_answer(NewAnswer {
                question: published,
                author: expert,
                text: "建议先采集叶片送检，确认是否为黄龙病。".into(),
                from: AnswerState::Open,
                to: AnswerState::Answered,
                notification: notifications::new_answer(owner, published.0, "题", "专家", at),
                at,
            })
            .await,
    );
    must(
        files
            .attach_photos(PhotoTarget::Answer(answer), std::slice::from_ref(&ua.id))
            .await,
    );
    let both = must(
        files
            .photos(&[PhotoTarget::Question(q), PhotoTarget::Answer(answer)])
            .await,
    );
    let targets: Vec<PhotoTarget> = both.iter().map(|(t, _)| *t).collect();
    assert_eq!(targets.len(), 3);
    assert_eq!(
        both.iter()
            .filter(|(t, _)| *t == PhotoTarget::Answer(answer))
            .map(|(_, u)| u.id.as_str())
            .collect::<Vec<_>>(),
        vec![ua.id.as_str()]
    );
}
