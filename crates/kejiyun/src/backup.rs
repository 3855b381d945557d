//! `kejiyun backup --to DIR` and `kejiyun restore --from DIR`: the database (a consistent
//! online copy, `kejiyun_db::backup`), then the uploaded files (`<data_dir>/uploads`), then a
//! manifest. Files are written before their rows and never changed (ids are immutable), so
//! the files copied after the database's snapshot hold every file that snapshot refers to.
//! The search index is left out: a restored server rebuilds it from the database. The
//! personal-data key is left out on purpose — a stolen backup must not open the ID numbers it
//! holds —; the manifest keeps a fingerprint of it, and a restore refuses a target whose key
//! differs.

use std::path::Path;

use anyhow::{Context, bail};
use kejiyun_core::personal_data::PersonalDataKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;

const FORMAT: u32 = 1;

/// What a backup directory holds, in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub kejiyun_version: String,
    /// `sqlite`, `postgres` or `mysql`: a dump is restored into the same engine.
    pub backend: String,
    pub created_at: String,
    pub database_file: String,
    pub database_sha256: String,
    pub files: u64,
    pub file_bytes: u64,
    /// The first bytes of a secret derived from the personal-data key (not the key).
    pub personal_data_key_fingerprint: String,
}

fn backend_name(url: &str) -> anyhow::Result<&'static str> {
    Ok(match kejiyun_db::backend_of(url)? {
        sea_orm::DbBackend::Sqlite => "sqlite",
        sea_orm::DbBackend::Postgres => "postgres",
        _ => "mysql",
    })
}

fn fingerprint(key: &PersonalDataKey) -> String {
    key.fingerprint()
}

/// The deployment's key if it has one (never creates it, unlike the server's start).
fn existing_key(config: &Config) -> anyhow::Result<Option<PersonalDataKey>> {
    let from_env = std::env::var_os("KEJIYUN_PERSONAL_DATA_KEY").filter(|v| !v.is_empty());
    let path = config.data_dir.join("personal-data.key");
    if from_env.is_none() && !path.exists() {
        return Ok(None);
    }
    crate::server::personal_data_key(config).map(Some)
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Copies the tree `from` into `to` (files already there with the same size are kept: ids
/// never change content); returns the files and bytes copied or kept.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(to).with_context(|| format!("{}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("{}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &target)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            let same = std::fs::metadata(&target).is_ok_and(|m| m.len() == len);
            // A temporary file of an upload in progress has no row yet: not part of the data.
            let partial = entry.file_name().to_string_lossy().ends_with(".tmp");
            if !same && !partial {
                std::fs::copy(entry.path(), &target)
                    .with_context(|| format!("{}", target.display()))?;
            }
            if !partial {
                files += 1;
                bytes += len;
            }
        }
    }
    Ok((files, bytes))
}

/// Writes a backup of the running (or stopped) deployment `config` describes into `to`, a new
/// or empty directory.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<Manifest> {
    if to.exists() && std::fs::read_dir(to)?.next().is_some() {
        bail!("{} 不是空目录：备份写入新的空目录", to.display());
    }
    std::fs::create_dir_all(to).with_context(|| format!("{}", to.display()))?;
    let url = config.effective_database_url();
    let backend = backend_name(&url)?;
    let key = existing_key(config)?;
    let db_file = kejiyun_db::backup::dump(&url, to).await?;
    let (files, file_bytes) = copy_tree(&config.data_dir.join("uploads"), &to.join("uploads"))?;
    let manifest = Manifest {
        format: FORMAT,
        kejiyun_version: env!("CARGO_PKG_VERSION").into(),
        backend: backend.into(),
        created_at: kejiyun_core::time::Clock::now(&kejiyun_core::time::SystemClock).to_rfc3339(),
        database_file: db_file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        database_sha256: sha256_file(&db_file)?,
        files,
        file_bytes,
        personal_data_key_fingerprint: key.as_ref().map(fingerprint).unwrap_or_default(),
    };
    let text = serde_json::to_string_pretty(&manifest)?;
    let path = to.join("manifest.json");
    std::fs::write(&path, text).with_context(|| format!("{}", path.display()))?;
    std::fs::File::open(&path)?.sync_all()?;
    Ok(manifest)
}

/// Restores the backup in `from` into the deployment `config` describes: an empty database of
/// the same engine, and its data directory (holding the old deployment's personal-data key,
/// or with `KEJIYUN_PERSONAL_DATA_KEY` set).
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} 不是 kejiyun backup 写的目录", from.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{} 无法读取", path.display()))?;
    if manifest.format != FORMAT {
        bail!("备份格式 {} 不受此版本支持", manifest.format);
    }
    let url = config.effective_database_url();
    let backend = backend_name(&url)?;
    if backend != manifest.backend {
        bail!(
            "备份来自 {}，目标数据库是 {}：只能恢复到同一种数据库",
            manifest.backend,
            backend
        );
    }
    let db_file = from.join(&manifest.database_file);
    if sha256_file(&db_file)? != manifest.database_sha256 {
        bail!("{} 与备份清单的校验值不符：备份已损坏", db_file.display());
    }
    if !manifest.personal_data_key_fingerprint.is_empty() {
        let key = existing_key(config)?.with_context(|| {
            format!(
                "目标没有个人信息密钥：请把原服务器的 personal-data.key 复制到 {}（或设置 KEJIYUN_PERSONAL_DATA_KEY）再恢复",
                config.data_dir.display()
            )
        })?;
        if fingerprint(&key) != manifest.personal_data_key_fingerprint {
            bail!("目标的个人信息密钥与备份时的不同：加密的身份证号和手机号将无法读取，已停止恢复");
        }
    }
    kejiyun_db::backup::load(&url, &db_file).await?;
    copy_tree(&from.join("uploads"), &config.data_dir.join("uploads"))?;
    // An index left from before describes another database: rebuilt at the next start.
    let index = crate::server::search_index_dir(config);
    if index.exists() {
        std::fs::remove_dir_all(&index).with_context(|| format!("{}", index.display()))?;
    }
    Ok(manifest)
}
