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
    if value.chars().any(is_bidi_control) {
        return Err(DomainError::invalid(
            field,
            format!("{label}包含不允许的文字方向控制字符（如从右到左覆盖）"),
        ));
    }
    Ok(value.to_owned())
}

/// Unicode's bidirectional formatting characters (LRM/RLM, ALM, the embeddings, overrides and
/// isolates). Chinese text never needs them, and an override makes a title or a name read
/// differently from what is stored (`exe.txt` shown for `txt.exe`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `s` holds a control character (C0 — NUL among them — DEL or C1). PostgreSQL can
/// neither store nor compare a NUL byte, and no single-line input needs any of them.
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A query-string parameter: refused, naming the parameter, when it holds a control
/// character — whatever the route would do with it.
pub fn query_param(field: &'static str, name: &str, value: &str) -> Result<(), DomainError> {
    if has_control(name) || has_control(value) {
        return Err(DomainError::invalid(
            field,
            format!("查询参数 {name} 包含不允许的控制字符"),
        ));
    }
    Ok(())
}

/// Longest search text a list filters by (the rest is cut).
pub const SEARCH_TEXT_MAX: usize = 50;

/// Search text (`q` of every list and the search box): trimmed, blank is no search, cut to
/// `max` characters; control characters are refused.
pub fn search_text(raw: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if has_control(value) {
        return Err(DomainError::invalid("q", "搜索词包含不允许的控制字符"));
    }
    Ok(Some(value.chars().take(max).collect()))
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

    #[test]
    fn refuses_direction_overrides_in_titles_and_names() {
        // "柑橘苗出售" with a right-to-left override reads backwards on screen.
        assert!(bounded("title", "标题", "柑橘\u{202E}售出苗", 1, 20, false).is_err());
        assert!(bounded("name", "姓名", "王\u{2067}小明", 1, 20, true).is_err());
        assert!(bounded("name", "姓名", "王\u{200F}小明", 1, 20, false).is_err());
        assert!(bounded("name", "姓名", "王小明", 1, 20, false).is_ok());
    }

    #[test]
    fn search_text_is_trimmed_cut_and_free_of_controls() {
        assert_eq!(search_text(None, 50), Ok(None));
        assert_eq!(search_text(Some("  "), 50), Ok(None));
        assert_eq!(search_text(Some(" 柑橘 "), 50), Ok(Some("柑橘".into())));
        assert_eq!(search_text(Some("柑橘黄龙病"), 2), Ok(Some("柑橘".into())));
        for bad in [
            "\u{0}",
            "柑\u{0}橘",
            "a\tb",
            "\u{1b}[0m",
            "\u{7f}",
            "a\u{85}b",
        ] {
            let e = search_text(Some(bad), 50).expect_err(bad);
            assert!(
                matches!(e, DomainError::Invalid { field: "q", .. }),
                "{bad}"
            );
            assert!(e.to_string().contains("控制字符"));
        }
    }

    #[test]
    fn query_params_refuse_controls_in_names_and_values() {
        assert!(query_param("q", "q", "柑橘 病").is_ok());
        let e = query_param("q", "q", "\u{0}").expect_err("nul");
        assert_eq!(e.to_string(), "查询参数 q 包含不允许的控制字符");
        assert!(query_param("query", "x\u{1}", "1").is_err());
    }
}
