//! `page` / `per_page` paging shared by every list.

use crate::DomainError;

pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl Page {
    /// Validates optional `page` (1-based) and `per_page` (1..=100) query values.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Self, DomainError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 || page > 100_000 {
            return Err(DomainError::invalid("page", "page 必须在 1 到 100000 之间"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(DomainError::invalid(
                "per_page",
                format!("per_page 必须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        Ok(Self { page, per_page })
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    pub fn limit(&self) -> u64 {
        u64::from(self.per_page)
    }
}

/// One page of results and the total across all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: Page,
}

impl<T> Paged<T> {
    /// One page of a list that is read whole (a person's few tokens, a catalogue).
    pub fn of_all(all: Vec<T>, page: Page) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit()).unwrap_or(usize::MAX))
            .collect();
        Self { items, total, page }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
        }
    }

    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.page.per_page)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(None, Some(0)).is_err());
        assert!(Page::new(None, Some(101)).is_err());
        let p = Page::new(Some(3), Some(10)).expect("valid");
        assert_eq!(p.offset(), 20);
        assert_eq!(p.limit(), 10);
    }
}
