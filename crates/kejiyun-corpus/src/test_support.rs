//! Shared by the unit tests: Sichuan's counties from the real region directory.

use kejiyun_core::regions::{RegionCode, RegionLevel};

pub fn sichuan_counties() -> Vec<RegionCode> {
    let dir = kejiyun_db::regions::directory();
    let sichuan = RegionCode::parse("510000").unwrap_or_else(|e| panic!("{e}"));
    let counties: Vec<RegionCode> = dir
        .children(sichuan)
        .into_iter()
        .flat_map(|city| dir.children(city.code))
        .filter(|c| c.level() == RegionLevel::County)
        .map(|c| c.code)
        .collect();
    assert_eq!(counties.len(), 183, "Sichuan has 183 counties");
    counties
}
