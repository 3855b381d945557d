//! `kejiyun keys rotate`: a new personal-data key for every sealed phone, ID-card number and
//! second-factor secret, and every blind index recomputed (等保 2.0 level 3, 密钥管理).
//!
//! With the key in the data directory: the new key is written to `personal-data.key.next`
//! first; one database transaction re-seals everything from the old key to it; then the old
//! key is kept as `personal-data.key.retired-<fingerprint>` (backups made before need it) and
//! the new one takes its place by a rename. A crash at any step leaves a state that running
//! the command again finishes: the database is under one key or the other, never both, and
//! `personal-data.key` always exists. While `.next` exists the server refuses to start.
//!
//! With the key in `KEJIYUN_PERSONAL_DATA_KEY`: the new key is read from
//! `KEJIYUN_NEW_PERSONAL_DATA_KEY`; the operator swaps the two variables afterwards.
//!
//! Every server on the database must be stopped first: one still running would seal new
//! values with the old key.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::personal_data::PersonalDataKey;
use kejiyun_core::time::{Clock, SystemClock};
use kejiyun_db::ResealReport;

use crate::config::Config;

/// The key file in the data directory.
pub fn key_path(config: &Config) -> PathBuf {
    config.data_dir.join("personal-data.key")
}

/// Where a rotation keeps the new key until it is in force.
pub fn next_key_path(config: &Config) -> PathBuf {
    config.data_dir.join("personal-data.key.next")
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub report: ResealReport,
    pub old_fingerprint: String,
    pub new_fingerprint: String,
    /// Where the old key was kept (`None`: the key came from the environment).
    pub retired: Option<PathBuf>,
}

pub(crate) fn read_key(path: &Path) -> anyhow::Result<PersonalDataKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    PersonalDataKey::from_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn env_key(name: &str) -> Option<anyhow::Result<PersonalDataKey>> {
    let text = std::env::var_os(name).filter(|v| !v.is_empty())?;
    Some(
        PersonalDataKey::from_hex(&text.to_string_lossy())
            .map_err(|e| anyhow::anyhow!("{name}: {e}")),
    )
}

/// Re-seals every sealed value under a new key (see the module's documentation).
pub async fn rotate(config: &Config) -> anyhow::Result<Rotation> {
    let (old, new, from_file) = match env_key("KEJIYUN_PERSONAL_DATA_KEY") {
        Some(old) => {
            let new = env_key("KEJIYUN_NEW_PERSONAL_DATA_KEY").ok_or_else(|| {
                anyhow::anyhow!(
                    "密钥来自 KEJIYUN_PERSONAL_DATA_KEY：请把新密钥（kejiyun keys generate）放在 \
                     KEJIYUN_NEW_PERSONAL_DATA_KEY 后再轮换"
                )
            })??;
            (old?, new, false)
        }
        None => {
            let path = key_path(config);
            if !path.exists() {
                anyhow::bail!("{} 不存在：没有可轮换的密钥", path.display());
            }
            let next = next_key_path(config);
            if !next.exists() {
                crate::server::write_private(&next, &PersonalDataKey::generate_hex())
                    .with_context(|| format!("cannot write {}", next.display()))?;
            }
            (read_key(&path)?, read_key(&next)?, true)
        }
    };
    if old.fingerprint() == new.fingerprint() {
        anyhow::bail!("新密钥与当前密钥相同");
    }
    let url = config.effective_database_url();
    let store = kejiyun_db::connect_with(&url, config.database_timeouts())
        .await
        .with_context(|| format!("cannot open database {}", kejiyun_db::redact(&url)))?
        .with_personal_data_key(old.clone());
    kejiyun_db::migrate(&store)
        .await
        .context("migrations failed")?;
    store
        .seal_plain_personal_data(&old)
        .await
        .map_err(|e| anyhow::anyhow!("sealing personal data: {e}"))?;
    let audit = AuditRecord {
        actor: None,
        at: SystemClock.now(),
        action: "personal_data.key.rotate".into(),
        target_kind: "personal_data_key".into(),
        target_id: new.fingerprint(),
        region: None,
        before: Some(serde_json::json!({ "key": old.fingerprint() })),
        after: None,
    };
    let report = store
        .rotate_personal_data_key(&old, &new, &audit)
        .await
        .map_err(|e| anyhow::anyhow!("re-sealing: {e}"))?;
    let retired = if from_file {
        Some(put_in_force(config, &old)?)
    } else {
        None
    };
    Ok(Rotation {
        report,
        old_fingerprint: old.fingerprint(),
        new_fingerprint: new.fingerprint(),
        retired,
    })
}

/// Keeps the old key beside (a new file), then renames the new one over the key file: the key
/// file is never missing.
fn put_in_force(config: &Config, old: &PersonalDataKey) -> anyhow::Result<PathBuf> {
    let path = key_path(config);
    let retired = config
        .data_dir
        .join(format!("personal-data.key.retired-{}", old.fingerprint()));
    if !retired.exists() {
        std::fs::copy(&path, &retired)
            .with_context(|| format!("cannot keep the old key as {}", retired.display()))?;
        std::fs::File::open(&retired)?.sync_all()?;
    }
    std::fs::rename(next_key_path(config), &path)
        .with_context(|| format!("cannot put the new key in {}", path.display()))?;
    // The renames are durable once the directory is.
    std::fs::File::open(&config.data_dir)?.sync_all()?;
    Ok(retired)
}
