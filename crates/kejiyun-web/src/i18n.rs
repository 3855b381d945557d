//! Page text in Simplified Chinese (default) and English, from `locales/*.toml`: flat
//! `key = "text"` tables compiled into the binary. A missing English key falls back to Chinese.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zh" | "zh-CN" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn is_en(self) -> bool {
        self == Self::En
    }
}

type Table = HashMap<String, String>;

fn load(src: &str) -> Table {
    toml::from_str::<Table>(src).unwrap_or_default()
}

fn zh() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| load(include_str!("../locales/zh-CN.toml")))
}

fn en() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| load(include_str!("../locales/en.toml")))
}

/// The text of `key` in `lang`; the key itself if no locale has it (a test forbids that).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let primary = match lang {
        Lang::Zh => zh(),
        Lang::En => en(),
    };
    primary
        .get(key)
        .or_else(|| zh().get(key))
        .map(String::as_str)
        .unwrap_or("??")
}

/// Elder mode's plain wording of `key` (`plain.<key>`), where the locale gives one: fewer
/// technical words (供需对接 → 找人帮忙) for readers who find the standard labels hard.
pub fn plain(lang: Lang, key: &str) -> Option<&'static str> {
    let table = match lang {
        Lang::Zh => zh(),
        Lang::En => en(),
    };
    table.get(&format!("plain.{key}")).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_and_have_the_same_keys() {
        assert!(!zh().is_empty(), "zh-CN.toml must parse");
        assert!(!en().is_empty(), "en.toml must parse");
        let mut missing: Vec<_> = zh().keys().filter(|k| !en().contains_key(*k)).collect();
        missing.extend(en().keys().filter(|k| !zh().contains_key(*k)));
        assert!(
            missing.is_empty(),
            "keys missing in one locale: {missing:?}"
        );
    }
}
