//! Small reusable pieces rendered by their own templates: the region picker, the pager and the
//! approve / reject forms.

use askama::Template;
use kejiyun_core::app::Services;
use kejiyun_core::paging::Paged;
use kejiyun_core::regions::RegionCode;

use super::common::Pg;
use crate::i18n::Lang;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct OptGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

/// A `<select>` of the deployment's regions: the root, then one group per child region (the
/// child itself, "whole city", and its children).
#[derive(Template)]
#[template(path = "_region_select.html", whitespace = "minimize")]
pub struct RegionSelect {
    pub name: &'static str,
    pub id: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub required: bool,
    /// The label of the empty option; `None` when a region must be picked.
    pub blank: Option<&'static str>,
    /// The `<option>`s and `<optgroup>`s, the chosen one marked (HTML, escaped when rendered).
    pub options: String,
}

/// The deployment's regions as `<option>`s, rendered once per language and kept: the region
/// tree does not change while the server runs, and building its ~200 options for each select
/// on each page was a fifth of a list page's work. A select copies the text and marks its
/// chosen option.
#[derive(Default)]
pub struct RegionOptions {
    by_lang: [std::sync::OnceLock<String>; 2],
}

#[derive(Template)]
#[template(path = "_region_options.html", whitespace = "minimize")]
struct RegionOptionsTpl {
    top: Vec<Opt>,
    groups: Vec<OptGroup>,
}

impl RegionOptions {
    /// The options with `selected` (a region code, or nothing) marked.
    fn with_selected(&self, pg: &Pg<'_>, selected: &str) -> String {
        let slot = match pg.ctx.lang {
            Lang::Zh => &self.by_lang[0],
            Lang::En => &self.by_lang[1],
        };
        let html = slot.get_or_init(|| Self::render(pg));
        // Only a well-formed code is looked for, so the text inserted is always the same.
        match RegionCode::parse(selected) {
            Ok(code) => {
                let value = format!("value=\"{code}\"");
                html.replacen(&value, &format!("{value} selected"), 1)
            }
            Err(_) => html.clone(),
        }
    }

    fn render(pg: &Pg<'_>) -> String {
        let s: &Services = pg.s();
        let opt = |code: RegionCode, label: String| Opt {
            value: code.to_string(),
            selected: false,
            label,
        };
        let mut top = Vec::new();
        let mut groups = Vec::new();
        if let Ok(root) = s.root_region() {
            top.push(opt(
                root.code,
                format!("{}{}", root.name, pg.t("region.whole")),
            ));
            for child in s.regions.children(root.code) {
                let mut options = vec![opt(
                    child.code,
                    format!("{}{}", child.name, pg.t("region.whole")),
                )];
                options.extend(
                    s.regions
                        .children(child.code)
                        .into_iter()
                        .map(|c| opt(c.code, c.name.clone())),
                );
                groups.push(OptGroup {
                    label: child.name.clone(),
                    options,
                });
            }
        }
        RegionOptionsTpl { top, groups }
            .render()
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "rendering the region options failed");
                String::new()
            })
    }
}

pub struct RegionSelectSpec {
    pub name: &'static str,
    pub id: &'static str,
    pub label_key: &'static str,
    pub hint_key: Option<&'static str>,
    pub required: bool,
    /// Locale key of the empty option's label.
    pub blank_key: Option<&'static str>,
}

impl RegionSelectSpec {
    pub fn optional(name: &'static str, label_key: &'static str, blank_key: &'static str) -> Self {
        Self {
            name,
            id: name,
            label_key,
            hint_key: None,
            required: false,
            blank_key: Some(blank_key),
        }
    }

    pub fn required(name: &'static str, label_key: &'static str) -> Self {
        Self {
            name,
            id: name,
            label_key,
            hint_key: None,
            required: true,
            blank_key: Some("form.choose_region"),
        }
    }

    pub fn hint(mut self, key: &'static str) -> Self {
        self.hint_key = Some(key);
        self
    }

    pub fn build(self, pg: &Pg<'_>, selected: &str) -> RegionSelect {
        RegionSelect {
            name: self.name,
            id: self.id,
            label: pg.t(self.label_key),
            hint: self.hint_key.map(|k| pg.t(k)),
            required: self.required,
            blank: self.blank_key.map(|k| pg.t(k)),
            options: pg.state.region_options.with_selected(pg, selected.trim()),
        }
    }
}

pub struct PageLink {
    pub number: u64,
    pub href: String,
    pub current: bool,
    /// An ellipsis before this link.
    pub gap_before: bool,
}

/// Page links that keep the list's filters.
#[derive(Template)]
#[template(path = "_pager.html", whitespace = "minimize")]
pub struct Pager {
    pub label: &'static str,
    pub prev_label: &'static str,
    pub next_label: &'static str,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
    pub summary: String,
}

impl Pager {
    /// `filters` are the query parameters to keep (empty values are dropped).
    pub fn new<T>(pg: &Pg<'_>, path: &str, filters: &[(&str, &str)], paged: &Paged<T>) -> Self {
        let current = u64::from(paged.page.page);
        let last = paged.pages();
        let href = |n: u64| {
            let mut pairs: Vec<(&str, String)> = filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect();
            if n > 1 {
                pairs.push(("page", n.to_string()));
            }
            let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            if q.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{q}")
            }
        };
        let mut links = Vec::new();
        let mut prev_shown = 0;
        for n in 1..=last {
            let near = n + 2 >= current && n <= current + 2;
            if n == 1 || n == last || near {
                links.push(PageLink {
                    number: n,
                    href: href(n),
                    current: n == current,
                    gap_before: n > prev_shown + 1,
                });
                prev_shown = n;
            }
        }
        Self {
            label: pg.t("pager.label"),
            prev_label: pg.t("pager.prev"),
            next_label: pg.t("pager.next"),
            prev: (current > 1).then(|| href(current - 1)),
            next: (current < last).then(|| href(current + 1)),
            links: if last > 1 { links } else { Vec::new() },
            summary: pg
                .t("pager.summary")
                .replace("{total}", &paged.total.to_string())
                .replace("{page}", &current.to_string())
                .replace("{pages}", &last.to_string()),
        }
    }
}

/// Approve and reject forms for one queued item.
#[derive(Template)]
#[template(path = "_moderate.html", whitespace = "minimize")]
pub struct ModerateForms {
    pub kind: &'static str,
    pub id: i64,
    pub csrf: String,
    pub approve: &'static str,
    pub reject: &'static str,
    pub reason_label: &'static str,
    pub reason_hint: &'static str,
}

impl ModerateForms {
    pub fn new(pg: &Pg<'_>, kind: &'static str, id: i64) -> Self {
        Self {
            kind,
            id,
            csrf: pg.ctx.csrf.clone(),
            approve: pg.t("admin.approve"),
            reject: pg.t("admin.reject"),
            reason_label: pg.t("admin.reason"),
            reason_hint: pg.t("admin.reason_hint"),
        }
    }
}
