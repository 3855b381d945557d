//! The national GB/T 2260 list, shipped in the repository (`data/china-division`, from the npm
//! package `china-division`) and compiled into the binary.

use std::sync::{Arc, OnceLock};

use kejiyun_core::regions::{Region, RegionCode, RegionDirectory};

const PROVINCES: &str = include_str!("../data/china-division/provinces.csv");
const CITIES: &str = include_str!("../data/china-division/cities.csv");
const AREAS: &str = include_str!("../data/china-division/areas.csv");

fn parse(csv_text: &str, parent_col: Option<usize>) -> Vec<Region> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records().flatten() {
        let (Some(code), Some(name)) = (rec.get(0), rec.get(1)) else {
            continue;
        };
        let Ok(code) = RegionCode::from_division_code(code) else {
            continue;
        };
        let parent = parent_col
            .and_then(|c| rec.get(c))
            .and_then(|p| RegionCode::from_division_code(p).ok());
        out.push(Region {
            code,
            name: name.to_owned(),
            parent,
        });
    }
    out
}

/// Every province, prefecture and county, parents before children.
///
/// Three prefecture-level cities have no counties (东莞市 441900, 中山市 442000, 儋州市
/// 460400); `areas.csv` lists each of them again under its own code, so those rows are the
/// prefecture itself and are not added twice.
pub fn national() -> Vec<Region> {
    let mut all = parse(PROVINCES, None);
    all.extend(parse(CITIES, Some(2)));
    all.extend(
        parse(AREAS, Some(2))
            .into_iter()
            .filter(|r| r.parent != Some(r.code)),
    );
    all
}

/// The region tree, parsed once per process.
pub fn directory() -> Arc<RegionDirectory> {
    static DIR: OnceLock<Arc<RegionDirectory>> = OnceLock::new();
    DIR.get_or_init(|| Arc::new(RegionDirectory::new(national()).unwrap_or_default()))
        .clone()
}

#[cfg(test)]
mod tests {
    use kejiyun_core::regions::RegionLevel;

    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid")
    }

    #[test]
    fn national_counts() {
        let all = national();
        let mut codes: Vec<_> = all.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        let dir = RegionDirectory::new(all).expect("every parent present");
        assert_eq!(dir.count_level(None, RegionLevel::Province), 31);
        assert_eq!(dir.count_level(None, RegionLevel::City), 342);
        // areas.csv has 2978 rows: 2975 counties and the 3 county-less prefectures again.
        assert_eq!(dir.count_level(None, RegionLevel::County), 2975);
        assert_eq!(AREAS.lines().count() - 1, 2978);
        let sichuan = Some(code("510000"));
        assert_eq!(dir.count_level(sichuan, RegionLevel::City), 21);
        assert_eq!(dir.count_level(sichuan, RegionLevel::County), 183);
    }

    #[test]
    fn parents_agree_with_code_arithmetic() {
        for r in national() {
            assert_eq!(r.parent, r.code.parent(), "{}", r.code);
        }
    }

    #[test]
    fn guangan_counties() {
        let dir = directory();
        assert_eq!(dir.full_name(code("511623")), "四川省 / 广安市 / 邻水县");
        let names: Vec<_> = dir
            .children(code("511600"))
            .iter()
            .map(|r| r.name.clone())
            .collect();
        assert_eq!(
            names,
            ["广安区", "前锋区", "岳池县", "武胜县", "邻水县", "华蓥市"]
        );
    }
}
