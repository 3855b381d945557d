//! The category catalogue of marketplace postings, and the other closed vocabularies (scope,
//! industry, maturity, IP type, transfer modes). Unknown values are refused with a 422.

use crate::DomainError;

/// (code, 中文, English, group)
const CATEGORIES: &[(&str, &str, &str, &str)] = &[
    ("planting", "种植业", "Crop farming", "agriculture"),
    ("fruit", "果树园艺", "Fruit & horticulture", "agriculture"),
    ("tea", "茶叶", "Tea", "agriculture"),
    ("livestock", "畜牧养殖", "Livestock", "agriculture"),
    ("aquaculture", "水产养殖", "Aquaculture", "agriculture"),
    ("herbal", "中药材", "Medicinal herbs", "agriculture"),
    (
        "agri_processing",
        "农产品加工",
        "Agri-food processing",
        "agriculture",
    ),
    (
        "agri_machinery",
        "农业机械",
        "Farm machinery",
        "agriculture",
    ),
    ("manufacturing", "装备制造", "Manufacturing", "industry"),
    ("materials", "新材料", "New materials", "industry"),
    ("chemicals", "化工", "Chemicals", "industry"),
    ("electronics", "电子信息", "Electronics", "industry"),
    ("software", "软件与信息服务", "Software & IT", "industry"),
    ("energy", "能源环保", "Energy & environment", "industry"),
    ("construction", "建筑建材", "Construction", "industry"),
    ("medicine", "医药健康", "Medicine & health", "medicine"),
    ("medical_devices", "医疗器械", "Medical devices", "medicine"),
    ("legal", "法律服务", "Legal services", "services"),
    ("tax", "财税服务", "Tax & accounting", "services"),
    ("ip", "知识产权", "Intellectual property", "services"),
    ("testing", "检验检测", "Testing & certification", "services"),
    ("finance", "科技金融", "Tech finance", "services"),
    (
        "consulting",
        "管理咨询",
        "Management consulting",
        "services",
    ),
    ("ecommerce", "电子商务", "E-commerce", "services"),
    ("popsci", "科学普及", "Popular science", "services"),
    ("other", "其他", "Other", "other"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Category(&'static str);

impl Category {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        CATEGORIES
            .iter()
            .find(|c| c.0 == raw.trim())
            .map(|c| Self(c.0))
            .ok_or_else(|| DomainError::invalid("category", "未知的分类"))
    }

    pub fn all() -> impl Iterator<Item = Category> {
        CATEGORIES.iter().map(|c| Category(c.0))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    fn row(self) -> &'static (&'static str, &'static str, &'static str, &'static str) {
        CATEGORIES
            .iter()
            .find(|c| c.0 == self.0)
            .unwrap_or(&CATEGORIES[CATEGORIES.len() - 1])
    }

    pub fn label_zh(self) -> &'static str {
        self.row().1
    }

    pub fn label_en(self) -> &'static str {
        self.row().2
    }

    pub fn group(self) -> &'static str {
        self.row().3
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal, [$($variant:ident = $code:literal, $zh:literal;)+]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                match raw.trim() {
                    $($code => Ok(Self::$variant),)+
                    _ => Err(DomainError::invalid($field, concat!("未知的", $what))),
                }
            }

            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            pub fn label_zh(self) -> &'static str {
                match self {
                    $(Self::$variant => $zh),+
                }
            }
        }
    };
}

vocabulary!(
    /// How far a service reaches: a county-scope service is offered inside its county only.
    Scope, "scope", "服务范围", [
        County = "county", "本县";
        City = "city", "本市";
        Province = "province", "本省";
        National = "national", "全国";
    ]
);

vocabulary!(
    /// The industry a need belongs to.
    Industry, "industry", "行业", [
        Agriculture = "agriculture", "农业";
        Industry = "industry", "工业";
        Services = "services", "服务业";
        Medicine = "medicine", "医药卫生";
        Other = "other", "其他";
    ]
);

vocabulary!(
    /// Maturity of an achievement: 研发 / 小试 / 中试 / 产业化.
    Maturity, "maturity", "成熟度", [
        Research = "research", "研发";
        SmallPilot = "small_pilot", "小试";
        Pilot = "pilot", "中试";
        Industrial = "industrial", "产业化";
    ]
);

vocabulary!(
    /// Intellectual-property type of an achievement.
    IpType, "ip_type", "知识产权类型", [
        InventionPatent = "invention_patent", "发明专利";
        UtilityPatent = "utility_patent", "实用新型专利";
        DesignPatent = "design_patent", "外观设计专利";
        SoftwareCopyright = "software_copyright", "软件著作权";
        PlantVariety = "plant_variety", "植物新品种权";
        TradeSecret = "trade_secret", "技术秘密";
        None = "none", "无";
    ]
);

vocabulary!(
    /// How an achievement may be transferred: 转让 / 许可 / 作价入股 / 合作开发.
    TransferMode, "transfer_modes", "转化方式", [
        Transfer = "transfer", "转让";
        License = "license", "许可";
        Equity = "equity", "作价入股";
        CoDevelop = "co_develop", "合作开发";
    ]
);

vocabulary!(
    /// How a service provider prefers to be contacted.
    ContactPref, "contact", "联系方式", [
        Message = "message", "站内留言";
        Phone = "phone", "电话";
        Both = "both", "留言或电话";
    ]
);

impl Scope {
    /// Whether a service of this scope, posted in `home`, is offered in `place`.
    pub fn reaches(
        self,
        home: crate::regions::RegionCode,
        place: crate::regions::RegionCode,
    ) -> bool {
        match self {
            Self::National => true,
            Self::Province => home.province() == place.province(),
            Self::City => home.city().is_some() && home.city() == place.city(),
            Self::County => home == place,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::RegionCode;

    #[test]
    fn catalogue_is_closed() {
        assert_eq!(
            Category::parse("fruit").map(Category::label_zh),
            Ok("果树园艺")
        );
        assert!(Category::parse("weapons").is_err());
        assert_eq!(Category::all().count(), CATEGORIES.len());
        let mut codes: Vec<_> = Category::all().map(Category::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CATEGORIES.len(), "codes are unique");
        assert_eq!(
            TransferMode::parse("equity").map(TransferMode::label_zh),
            Ok("作价入股")
        );
        assert!(Maturity::parse("研发").is_err(), "codes, not labels");
    }

    #[test]
    fn scope_reach() {
        let c = |s: &str| RegionCode::parse(s).expect("valid");
        let (linshui, yuechi, chengdu) = (c("511623"), c("511621"), c("510104"));
        assert!(Scope::County.reaches(linshui, linshui));
        assert!(!Scope::County.reaches(linshui, yuechi));
        assert!(Scope::City.reaches(linshui, yuechi));
        assert!(!Scope::City.reaches(linshui, chengdu));
        assert!(Scope::Province.reaches(linshui, chengdu));
        assert!(!Scope::Province.reaches(linshui, c("500101")));
        assert!(Scope::National.reaches(linshui, c("110101")));
    }
}
