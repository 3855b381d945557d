//! Bounded, trimmed text fields. Every free-text input passes through here, so over-long or
//! control-character-laden input is refused with a Chinese message naming the field.

use crate::DomainError;

/// Trims `raw` and checks its length in characters (not bytes: Chinese text is 3 bytes a char).
/// Newlines and tabs are allowed only when `multiline`.
pub fn bounded(
    field: &'static str,
    label: &str,
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, DomainError> {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min {
        return Err(if min <= 1 {
            DomainError::invalid(field, format!("请填写{label}"))
        } else {
            DomainError::invalid(field, format!("{label}至少 {min} 个字"))
        });
    }
    if len > max {
        return Err(DomainError::invalid(
            field,
            format!("{label}不能超过 {max} 个字（现在 {len} 个）"),
        ));
    }
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if bad {
        return Err(DomainError::invalid(
            field,
            format!("{label}包含不允许的控制字符"),
        ));
    }
    Ok(value.to_owned())
}

/// Like [`bounded`] with `min = 0`, mapping an empty result to `None`.
pub fn optional(
    field: &'static str,
    label: &str,
    raw: Option<&str>,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, DomainError> {
    match raw {
        None => Ok(None),
        Some(r) => {
            let v = bounded(field, label, r, 0, max, multiline)?;
            Ok(if v.is_empty() { None } else { Some(v) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(bounded("f", "名称", "柑橘黄龙病", 1, 5, false).is_ok());
        assert!(bounded("f", "名称", "柑橘黄龙病防", 1, 5, false).is_err());
    }

    #[test]
    fn trims_and_refuses_empty_and_controls() {
        assert_eq!(bounded("f", "名称", "  a ", 1, 5, false), Ok("a".into()));
        assert!(bounded("f", "名称", "   ", 1, 5, false).is_err());
        assert!(bounded("f", "名称", "a\u{0}b", 1, 5, false).is_err());
        assert!(bounded("f", "名称", "a\nb", 1, 5, false).is_err());
        assert!(bounded("f", "名称", "a\nb", 1, 5, true).is_ok());
        assert_eq!(optional("f", "名称", Some("  "), 5, false), Ok(None));
    }
}
