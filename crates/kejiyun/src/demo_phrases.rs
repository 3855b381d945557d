//! The phrase tables the demo history (`demo_history.rs`) combines into postings, profiles and
//! messages: the 广安市 counties, the farm and small-enterprise subjects people there write
//! about, and how they write. Hand-written and small on purpose: combined with a fixed seed they
//! give hundreds of different, plausible records (not the measuring corpus of kejiyun-corpus).

/// The counties of 广安市: (code, name). Every weight table below is in this order.
pub const COUNTIES: [(&str, &str); 6] = [
    ("511602", "广安区"),
    ("511603", "前锋区"),
    ("511621", "岳池县"),
    ("511622", "武胜县"),
    ("511623", "邻水县"),
    ("511681", "华蓥市"),
];

/// How active each county is on the platform: 岳池县 clearly leads, 前锋区 clearly lags
/// (what the dashboards' ranking is for).
pub const COUNTY_ACTIVITY: [f64; 6] = [1.1, 0.2, 1.9, 0.95, 1.2, 0.7];

/// A few towns per county, for addresses, cooperatives and 科普e站.
pub const TOWNS: [&[&str]; 6] = [
    &["协兴", "龙台", "花桥", "大安", "悦来"],
    &["代市", "观塘", "虎城", "广兴"],
    &["九龙", "顾县", "罗渡", "酉溪", "坪滩", "白庙"],
    &["飞龙", "白坪", "三溪", "乐善", "中心"],
    &["鼎屏", "柑子", "九龙", "石永", "丰禾", "观音桥"],
    &["双河", "禄市", "永兴", "天池", "庆华"],
];

/// A problem as people describe it: `short` goes into the title, `detail` into the text.
pub struct Trouble {
    pub short: &'static str,
    pub detail: &'static str,
    pub target: &'static str,
}

/// A service a tech worker offers (`{s}`: the subject). Price range in 元; `None`: 面议.
pub struct Offer {
    pub title: &'static str,
    pub body: &'static str,
    pub price_yuan: Option<(u32, u32)>,
}

/// A research result (`{s}`: the subject).
pub struct Finding {
    pub title: &'static str,
    pub summary: &'static str,
    pub ip_type: &'static str,
    pub maturity: &'static str,
}

/// One subject people post about.
pub struct Topic {
    pub category: &'static str,
    pub industry: &'static str,
    /// Farmers and cooperatives write these needs; otherwise small enterprises.
    pub farm: bool,
    /// How much of it each county has ([`COUNTIES`] order).
    pub counties: [u8; 6],
    pub subjects: &'static [&'static str],
    /// How a need starts: `{n}` a number in `scale`, `{s}` the subject.
    pub openings: &'static [&'static str],
    pub scale: (u32, u32),
    pub troubles: &'static [Trouble],
    pub practices: &'static [&'static str],
    pub offers: &'static [Offer],
    pub findings: &'static [Finding],
    pub tags: &'static [&'static str],
    /// A tech worker's 专业领域, 职称 and 工作单位 (`{c}`: the county).
    pub fields: &'static [&'static str],
    pub titles: &'static [&'static str],
    pub employers: &'static [&'static str],
    /// How a quote says the work will be done.
    pub methods: &'static [&'static str],
    /// A quote's or deal's amount in 元.
    pub price_yuan: (u32, u32),
}

pub const FARM_TITLES: &[&str] = &[
    "{s}{t}咋个办",
    "{s}{t}，求专家指导",
    "求助：{s}{t}",
    "{s}{t}，有没有懂行的老师",
    "请技术员来看看{s}{t}的问题",
    "{s}{t}怎么解决",
];

pub const FIRM_TITLES: &[&str] = &[
    "{s}{t}",
    "{s}{t}，寻求技术支持",
    "求助：{s}{t}",
    "{s}{t}，诚邀专家合作",
];

pub const FARM_WORRIES: &[&str] = &[
    "想请专家上门看看，费用好商量。",
    "自己在网上查了很多，还是搞不清楚，希望有懂行的老师指点。",
    "今年已经损失了好几万，再这样下去就要亏本了。",
    "村里好几户都是这个情况，希望能一起解决。",
    "最好能到地里来看，电话里说不清楚。",
    "家里就靠这个收入，着急得很。",
];

pub const FIRM_WORRIES: &[&str] = &[
    "希望找到有经验的专家或团队合作，费用可以面谈。",
    "订单比较急，希望一个月内能拿出方案。",
    "公司规模不大，希望方案实用、投入不要太高。",
    "可以先到厂里看现场，再谈合作方式。",
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "罗", "梁", "宋", "谢", "唐", "冯", "邓", "曾", "彭", "蒋", "蔡", "余", "杜", "邱",
    "廖", "谭", "雷", "龚", "熊", "向", "蒲", "文",
];

pub const GIVEN_NAMES: &[&str] = &[
    "建华", "志刚", "秀兰", "海燕", "德明", "春梅", "国平", "晓东", "红英", "文华", "永刚", "玉兰",
    "小军", "桂芳", "雪梅", "家富", "世明", "光荣", "成林", "晓燕", "丽君", "伟", "敏", "勇", "静",
    "磊", "琳", "强", "娟", "涛", "兴国", "德伦", "素芬", "正华", "朝阳", "明芳",
];

/// How a farmer signs: `{x}` the surname.
pub const FARMER_NAMES: &[&str] = &["{x}大哥", "{x}大姐", "{x}师傅", "{x}叔", "{x}二嫂", "老{x}"];

/// Trade names for the demo's companies.
pub const FIRM_NAMES: &[&str] = &[
    "鑫达", "恒通", "宏远", "川东", "华益", "金穗", "润泽", "瑞丰", "联创", "众诚", "嘉禾", "永盛",
];

/// What a requester writes first on a service (`{c}` county, `{w}` town, `{s}` subject).
pub const FARM_ASKS: &[&str] = &[
    "你好，我是{c}{w}镇的，家里的{s}有点问题，想请您过来看看，大概啥子价钱？",
    "老师您好，看到您发的服务，我们合作社的{s}想请您指导一下，能不能到村里来？",
    "请问{s}这方面您能上门吗？我在{c}{w}镇，路不远。",
];

pub const FIRM_ASKS: &[&str] = &[
    "您好，我们公司有{s}方面的需求，想了解一下您的服务方式和报价。",
    "您好，看到您发布的内容，我们在{c}有个项目和{s}有关，能否约个时间沟通？",
];

pub const REPLIES: &[&str] = &[
    "可以的，我这周末有空，过来看了再说，路费不另外收。",
    "你先拍几张照片发过来，我看了再定时间。",
    "您好，可以先电话沟通一下具体情况，下周可以到现场看看。",
    "没问题，我把方案和报价整理好发给您。",
];

pub const REJECT_REASONS: &[&str] = &[
    "描述过于简单，请补充遇到的具体问题后再提交",
    "联系方式不应写在正文中，请删除后重新提交",
];

pub const TOPICS: &[Topic] = &[
    Topic {
        category: "fruit",
        industry: "agriculture",
        farm: true,
        counties: [3, 0, 3, 6, 8, 3],
        subjects: &["柑橘", "晚熟柑橘", "沃柑", "春见", "血橙"],
        openings: &[
            "家里种了{n}亩{s}，",
            "我们村合作社有{n}亩{s}，",
            "承包了{n}亩坡地种{s}，",
        ],
        scale: (5, 200),
        troubles: &[
            Trouble {
                short: "叶子发黄",
                detail: "今年开春以来好多树叶子发黄，叶脉还是绿的，有的枝条开始枯，果子也长不大",
                target: "弄清楚是缺素还是黄龙病，把树势养回来。",
            },
            Trouble {
                short: "裂果严重",
                detail: "快成熟的时候下了几场雨，果子裂得厉害，一棵树要掉一半，捡都捡不赢",
                target: "明年把裂果率降下来。",
            },
            Trouble {
                short: "红蜘蛛打不死",
                detail: "红蜘蛛年年都有，药换了好几种，打完没几天又起来了，叶片发白掉叶",
                target: "找到管用的防治办法，少打药。",
            },
            Trouble {
                short: "果小味酸卖不起价",
                detail: "果子个头小、皮厚、吃起来酸，收购商压价压得很低，一斤才卖一块多",
                target: "提高品质，一斤能多卖几毛钱。",
            },
            Trouble {
                short: "老园想高接换种",
                detail: "园子里是十几年的老品种，想嫁接换成晚熟品种，不晓得啥时候接、接了几年能挂果",
                target: "两三年内换成效益好的品种。",
            },
        ],
        practices: &[
            "自己照着网上的视频在弄，效果不好。",
            "问过镇上农资店老板，推荐的药打了两次。",
            "一直是按老经验管理，没请人看过。",
            "去年请人来看过一次，但没有跟踪指导。",
        ],
        offers: &[
            Offer {
                title: "{s}黄龙病诊断与综合防控指导",
                body: "上门查看果园，采样送检确诊，制定挖除病株、统防木虱、补栽无病毒苗的综合方案，并跟踪指导一个生长季。",
                price_yuan: None,
            },
            Offer {
                title: "{s}整形修剪与疏花疏果培训",
                body: "到村里集中培训，现场示范整形修剪、疏花疏果，讲解水肥管理要点，培训后建群答疑。",
                price_yuan: Some((500, 2000)),
            },
            Offer {
                title: "{s}裂果和日灼防控技术服务",
                body: "根据果园土壤和水分情况，制定覆膜控水、叶面补钙、树盘覆盖等措施，减少裂果和日灼。",
                price_yuan: Some((800, 3000)),
            },
            Offer {
                title: "{s}高接换种技术服务",
                body: "提供适合本地的晚熟品种接穗，上门指导高接换种和接后管理，保证嫁接成活率。",
                price_yuan: None,
            },
        ],
        findings: &[
            Finding {
                title: "{s}病虫害绿色防控集成技术",
                summary: "集成性诱剂、捕食螨、矿物油等绿色防控措施，示范园化学农药用量减少 40% 以上，优质果率提高 15 个百分点，已在多个乡镇推广。",
                ip_type: "none",
                maturity: "industrial",
            },
            Finding {
                title: "{s}留树保鲜与错季上市技术",
                summary: "通过冬季留树保鲜和防落果处理，使果实推迟 45 天上市，避开集中上市期，亩均增收 3000 元以上。",
                ip_type: "invention_patent",
                maturity: "pilot",
            },
        ],
        tags: &["柑橘", "病虫害防治", "整形修剪", "水肥一体化", "高接换种"],
        fields: &["果树栽培", "柑橘栽培"],
        titles: &["农艺师", "高级农艺师", "农业技术推广研究员", "助理农艺师"],
        employers: &[
            "{c}农业农村局",
            "{c}农业技术推广中心",
            "{c}柑橘产业发展中心",
        ],
        methods: &[
            "先到果园实地查看，采样送检确诊，再制定防治方案，春梢、夏梢期各回访一次。",
            "上门诊断后给出全年管理日历，现场示范修剪和用药，微信随时答疑。",
        ],
        price_yuan: (1500, 30_000),
    },
    Topic {
        category: "fruit",
        industry: "agriculture",
        farm: true,
        counties: [1, 0, 1, 2, 8, 1],
        subjects: &["脐橙", "邻水脐橙", "晚熟脐橙"],
        openings: &["家里有{n}亩{s}，", "我在村里流转了{n}亩地种{s}，"],
        scale: (8, 150),
        troubles: &[
            Trouble {
                short: "落果厉害",
                detail: "谢花以后生理落果特别多，保果药也用了，树上还是留不住几个果",
                target: "把坐果率提上来，产量恢复到以前的水平。",
            },
            Trouble {
                short: "储存烂果多",
                detail: "采下来放在库房里，一个多月就烂了两三成，不敢多存，只能低价卖掉",
                target: "学会采后处理和贮藏保鲜，能存到春节后卖。",
            },
            Trouble {
                short: "果面不好看",
                detail: "果面上有很多疤痕和黑点，大小也不匀，超市不收，只能走批发",
                target: "提高商品果率，能进超市和电商渠道。",
            },
        ],
        practices: &[
            "一直按老办法管，肥料凭感觉施。",
            "请村里的老把式看过，说法不一样。",
            "打过农资店推荐的保果药，效果一般。",
        ],
        offers: &[
            Offer {
                title: "{s}保花保果与提质增效指导",
                body: "针对落果、果小等问题，制定花期管理、保果和控梢方案，结合水肥一体化提高商品果率。",
                price_yuan: Some((1000, 5000)),
            },
            Offer {
                title: "{s}采后处理与贮藏保鲜技术服务",
                body: "指导采收时机、清洗打蜡、分级包装和简易库房贮藏，降低贮藏期烂果率。",
                price_yuan: None,
            },
        ],
        findings: &[Finding {
            title: "{s}简易贮藏保鲜技术",
            summary: "利用山地通风库和单果包装，配合绿色保鲜剂，贮藏 120 天好果率达 92% 以上，适合农户和小型合作社使用。",
            ip_type: "utility_patent",
            maturity: "industrial",
        }],
        tags: &["脐橙", "保花保果", "贮藏保鲜", "商品化处理"],
        fields: &["果树栽培", "采后处理"],
        titles: &["高级农艺师", "农艺师"],
        employers: &["{c}农业农村局", "{c}脐橙产业协会"],
        methods: &[
            "花期前后到园子里看两次，制定保果方案，按节点提醒操作。",
            "现场指导采收和包装，帮忙改造贮藏库房的通风。",
        ],
        price_yuan: (2000, 25_000),
    },
    Topic {
        category: "livestock",
        industry: "agriculture",
        farm: true,
        counties: [3, 1, 8, 4, 4, 2],
        subjects: &["生猪", "猪场", "养猪场"],
        openings: &[
            "家里养了{n}头猪，",
            "我们场存栏{n}头生猪，",
            "和亲戚合伙建了个猪场，现在有{n}头猪，",
        ],
        scale: (30, 800),
        troubles: &[
            Trouble {
                short: "仔猪拉稀死得多",
                detail: "最近一批仔猪断奶后拉稀，打针喂药都不见好，一窝死了三四头",
                target: "控制住腹泻，提高仔猪成活率。",
            },
            Trouble {
                short: "非洲猪瘟怎么防",
                detail: "周边村子去年出过疫情，我们场消毒和人员进出管理都比较随意，心里没底",
                target: "建立一套管用的防控流程，通过县里的生物安全检查。",
            },
            Trouble {
                short: "粪污处理不达标",
                detail: "环保检查说粪污处理设施不达标，要求限期整改，不晓得该建多大的池子",
                target: "花合适的钱把粪污处理做达标，最好能还田利用。",
            },
            Trouble {
                short: "饲料成本太高",
                detail: "饲料涨价，一头猪养出栏算下来基本不赚钱，想自己配料又怕配不好",
                target: "把料肉比降下来，每头猪省点成本。",
            },
        ],
        practices: &[
            "自己按说明书用兽药，没有请兽医系统看过。",
            "门口有消毒池，车辆偶尔消毒，工人自由进出。",
            "一直用饲料厂的全价料。",
        ],
        offers: &[
            Offer {
                title: "{s}养殖场生物安全评估与整改指导",
                body: "按生物安全分区要求，对人员、车辆、物资、饲料、水源逐项评估，出具整改清单和消毒流程。",
                price_yuan: Some((2000, 6000)),
            },
            Offer {
                title: "{s}常见疫病诊断与免疫程序制定",
                body: "上门诊断常见疫病，根据场内情况制定免疫程序和保健方案，定期回访。",
                price_yuan: Some((500, 3000)),
            },
            Offer {
                title: "{s}饲料配方优化服务",
                body: "结合本地玉米、豆粕等原料价格，优化各阶段饲料配方，降低料肉比。",
                price_yuan: None,
            },
        ],
        findings: &[
            Finding {
                title: "{s}养殖粪污异位发酵床处理技术",
                summary: "采用异位发酵床处理养殖粪污，实现污水零排放，发酵垫料可作有机肥还田，适合存栏 500 头以下的中小养殖场。",
                ip_type: "utility_patent",
                maturity: "industrial",
            },
            Finding {
                title: "{s}低蛋白日粮配制技术",
                summary: "在保证生长性能的前提下，将育肥期日粮粗蛋白降低 2 个百分点，每头出栏猪节约饲料成本约 40 元。",
                ip_type: "none",
                maturity: "pilot",
            },
        ],
        tags: &["生猪养殖", "非洲猪瘟防控", "饲料配方", "粪污处理"],
        fields: &["畜牧兽医", "动物营养"],
        titles: &["执业兽医师", "高级畜牧师", "畜牧师"],
        employers: &["{c}畜牧兽医站", "{c}动物疫病预防控制中心", "{c}农业农村局"],
        methods: &[
            "分两次上门评估，出具整改清单，培训场内人员消毒流程并复查。",
            "先采样化验确诊，再调整用药和免疫程序，一个月内跟踪三次。",
        ],
        price_yuan: (2000, 50_000),
    },
    Topic {
        category: "aquaculture",
        industry: "agriculture",
        farm: true,
        counties: [1, 0, 5, 7, 3, 1],
        subjects: &["稻虾", "稻鱼", "稻鳅", "稻蟹"],
        openings: &[
            "村里流转了{n}亩稻田搞{s}综合种养，",
            "我们合作社去年开始做{s}共生，有{n}亩，",
        ],
        scale: (20, 500),
        troubles: &[
            Trouble {
                short: "个头小卖不起价",
                detail: "今年投苗不少，但起捕的时候个头普遍偏小，收购价比别人低一截",
                target: "把规格养上去，亩产和效益都提高。",
            },
            Trouble {
                short: "田间水质难管",
                detail: "天一热田里的水就发绿发臭，死了不少，换水又怕影响水稻",
                target: "学会调水，水稻和水产都不受影响。",
            },
            Trouble {
                short: "田埂和沟坑怎么改",
                detail: "准备新改造一片田，不晓得环沟挖多宽多深、田埂要加多高才合适",
                target: "按规范改造，一次做好，通过验收。",
            },
        ],
        practices: &[
            "照着别人的经验在做，没有系统学过。",
            "去外县参观过一次，回来自己摸索。",
        ],
        offers: &[
            Offer {
                title: "{s}综合种养田间工程设计",
                body: "根据田块地形设计环沟、田埂和进排水，兼顾水稻产量和水产养殖，出具施工图和预算。",
                price_yuan: None,
            },
            Offer {
                title: "{s}综合种养全程技术指导",
                body: "从苗种投放、水质调控、病害防治到起捕上市全程指导，每月到田间一次。",
                price_yuan: Some((2000, 8000)),
            },
        ],
        findings: &[Finding {
            title: "丘陵地区{s}综合种养模式",
            summary: "针对丘陵小田块形成的{s}综合种养模式，稻谷亩产稳定在 500 公斤以上，亩均纯收入增加 2000 元，已在武胜、岳池推广上万亩。",
            ip_type: "none",
            maturity: "industrial",
        }],
        tags: &["稻渔综合种养", "水质调控", "小龙虾", "生态种养"],
        fields: &["水产养殖", "稻渔综合种养"],
        titles: &["高级工程师", "水产工程师", "农艺师"],
        employers: &["{c}水产站", "{c}农业农村局"],
        methods: &[
            "先到田里测量地形和水源，出改造方案，施工时现场把关。",
            "按季节上门指导投苗、调水和防病，遇到问题随时电话。",
        ],
        price_yuan: (3000, 60_000),
    },
    Topic {
        category: "planting",
        industry: "agriculture",
        farm: true,
        counties: [1, 1, 3, 2, 2, 5],
        subjects: &["花椒", "青花椒", "九叶青花椒"],
        openings: &["家里种了{n}亩{s}，", "我们村{n}亩{s}是集体经济项目，"],
        scale: (5, 300),
        troubles: &[
            Trouble {
                short: "流胶病越来越多",
                detail: "主干上好多流胶的地方，树势一年比一年弱，有些直接死了",
                target: "控制住流胶病，保住这批树。",
            },
            Trouble {
                short: "采摘人工太贵",
                detail: "一到采摘季请人都请不到，工钱一天一百五还要包饭，算下来利润都给了人工",
                target: "找到省工的采摘或修剪办法，降低人工成本。",
            },
            Trouble {
                short: "烘干颜色不好",
                detail: "自己用土灶烘，颜色发黑、香味不足，卖不出好价钱",
                target: "烘出来颜色青绿、麻香味足。",
            },
        ],
        practices: &[
            "自己刮过病斑涂过药，效果不明显。",
            "跟着邻村的种植户学着弄。",
        ],
        offers: &[
            Offer {
                title: "{s}流胶病与叶锈病防治指导",
                body: "上门诊断病害，制定刮治、涂药和冬季清园方案，配合施肥恢复树势。",
                price_yuan: Some((500, 2000)),
            },
            Offer {
                title: "{s}矮化修剪与带枝采摘技术培训",
                body: "推广矮化修剪和带枝采摘，减少采摘用工，现场示范并培训本村修剪能手。",
                price_yuan: Some((800, 3000)),
            },
        ],
        findings: &[Finding {
            title: "{s}热风烘干保色提香工艺",
            summary: "采用分段变温热风烘干，花椒色泽青绿、挥发油保留率高，干椒售价较土灶烘干提高 20% 以上。",
            ip_type: "invention_patent",
            maturity: "pilot",
        }],
        tags: &["花椒", "流胶病", "矮化修剪", "烘干"],
        fields: &["经济林栽培"],
        titles: &["林业工程师", "农艺师"],
        employers: &["{c}林业局", "{c}农业农村局"],
        methods: &[
            "到地里看过病树再定方案，冬季清园时再来一次。",
            "先在一块示范地里修剪示范，教会村里的修剪队。",
        ],
        price_yuan: (1500, 20_000),
    },
    Topic {
        category: "planting",
        industry: "agriculture",
        farm: true,
        counties: [2, 2, 3, 2, 2, 3],
        subjects: &["香菇", "平菇", "羊肚菌", "黑木耳", "大球盖菇"],
        openings: &["我们建了{n}个{s}大棚，", "家里去年开始种{s}，有{n}亩，"],
        scale: (3, 40),
        troubles: &[
            Trouble {
                short: "菌棒污染严重",
                detail: "今年的菌棒长绿霉的特别多，坏了差不多三分之一，损失很大",
                target: "把污染率降到一成以下。",
            },
            Trouble {
                short: "出菇少还不整齐",
                detail: "菌丝长得还可以，就是出菇少、朵形小，一茬和一茬差得多",
                target: "出菇整齐，产量稳定。",
            },
            Trouble {
                short: "大棚温湿度控制不好",
                detail: "夏天棚里温度太高，冬天又太冷，全靠人守着开关，稍不注意就出问题",
                target: "用简单的设备把温湿度管起来，少操心。",
            },
        ],
        practices: &[
            "菌棒是从外地买的，自己按老板教的方法管。",
            "棚里装了温度计，靠人看着开窗通风。",
        ],
        offers: &[
            Offer {
                title: "{s}栽培与病虫害防控技术指导",
                body: "指导菌棒制作、发菌和出菇管理，诊断杂菌污染和虫害，提供全程技术服务。",
                price_yuan: Some((1000, 5000)),
            },
            Offer {
                title: "食用菌大棚温湿度智能控制改造",
                body: "为{s}大棚加装温湿度传感器和自动通风、喷淋控制，手机上就能看和调。",
                price_yuan: None,
            },
        ],
        findings: &[Finding {
            title: "{s}林下仿野生栽培技术",
            summary: "利用林下空间仿野生栽培{s}，不占耕地，亩产鲜菇 400 公斤以上，品质接近野生，已在华蓥山区示范推广。",
            ip_type: "none",
            maturity: "industrial",
        }],
        tags: &["食用菌", "菌棒", "出菇管理", "大棚"],
        fields: &["食用菌栽培"],
        titles: &["农艺师", "高级农艺师"],
        employers: &["{c}农业技术推广中心", "{c}食用菌协会"],
        methods: &[
            "到棚里查看菌棒和环境，找出污染原因，下一批从制棒开始全程指导。",
            "装两套温湿度设备做示范，教会使用后再推广到其他大棚。",
        ],
        price_yuan: (2000, 30_000),
    },
    Topic {
        category: "planting",
        industry: "agriculture",
        farm: true,
        counties: [3, 2, 3, 3, 2, 2],
        subjects: &["大棚蔬菜", "辣椒", "番茄", "莲藕", "儿菜"],
        openings: &["家里种了{n}亩{s}，", "合作社有{n}亩{s}基地，"],
        scale: (3, 120),
        troubles: &[
            Trouble {
                short: "连作以后长不好",
                detail: "同一块地种了好几年，今年苗子长得慢、根上有瘤子，死苗也多",
                target: "改良土壤，解决连作障碍。",
            },
            Trouble {
                short: "病害一年比一年重",
                detail: "叶子上起斑、烂果，药打了不少还是控制不住",
                target: "用绿色的办法把病害管住，达到收购标准。",
            },
            Trouble {
                short: "想错峰上市",
                detail: "大家都是同一时间上市，价格被压得很低，想提前或推后一段时间",
                target: "调整茬口，错开上市高峰，每亩多卖一两千元。",
            },
        ],
        practices: &[
            "一直凭经验种，用药听农资店的。",
            "轮作过一季玉米，效果不明显。",
        ],
        offers: &[Offer {
            title: "{s}土壤改良与绿色防控指导",
            body: "测土配方施肥，指导轮作、生物菌剂改土和病虫害绿色防控，降低用药成本。",
            price_yuan: Some((500, 3000)),
        }],
        findings: &[Finding {
            title: "{s}连作障碍生物修复技术",
            summary: "以功能微生物菌剂配合秸秆还田修复连作土壤，根结线虫发生率下降 60%，亩产提高 18%。",
            ip_type: "invention_patent",
            maturity: "pilot",
        }],
        tags: &["蔬菜", "土壤改良", "绿色防控", "测土配方"],
        fields: &["蔬菜栽培", "土壤肥料"],
        titles: &["农艺师", "助理农艺师"],
        employers: &["{c}农业技术推广中心", "{c}土壤肥料站"],
        methods: &["先取土化验，再出改良和施肥方案，跟踪一个种植季。"],
        price_yuan: (1000, 15_000),
    },
    Topic {
        category: "tea",
        industry: "agriculture",
        farm: true,
        counties: [0, 0, 1, 4, 2, 3],
        subjects: &["茶园", "绿茶", "白茶"],
        openings: &["我们村有{n}亩{s}，", "合作社管着{n}亩{s}，"],
        scale: (20, 600),
        troubles: &[
            Trouble {
                short: "加工设备怎么选",
                detail: "准备建一条小型初制加工线，杀青机、揉捻机型号太多，不晓得怎么配",
                target: "日加工鲜叶 500 公斤左右，设备配套合理。",
            },
            Trouble {
                short: "老茶园产量低",
                detail: "茶树是二十多年前栽的，发芽少、产量低，品质也在下降",
                target: "改造老茶园，三年内产量翻番。",
            },
        ],
        practices: &["目前手工炒制。", "每年就是修剪一次、施一次肥。"],
        offers: &[Offer {
            title: "{s}标准化管理与加工工艺指导",
            body: "指导茶园施肥修剪、病虫害绿色防控，以及杀青、揉捻、干燥等初制工艺参数优化。",
            price_yuan: None,
        }],
        findings: &[Finding {
            title: "名优{s}清洁化加工生产线",
            summary: "集成连续化杀青、揉捻和提香设备，加工过程茶叶不落地，人工减少一半，产品达到出口标准。",
            ip_type: "utility_patent",
            maturity: "industrial",
        }],
        tags: &["茶园管理", "绿茶加工", "老茶园改造"],
        fields: &["茶叶种植与加工"],
        titles: &["农艺师", "评茶员"],
        employers: &["{c}茶叶产业协会", "{c}农业农村局"],
        methods: &["到茶园和加工厂看现场，出设备配置清单，安装调试时现场指导。"],
        price_yuan: (3000, 40_000),
    },
    Topic {
        category: "herbal",
        industry: "agriculture",
        farm: true,
        counties: [0, 0, 3, 1, 2, 6],
        subjects: &["川芎", "黄精", "白芷", "金银花"],
        openings: &["家里种了{n}亩{s}，", "合作社发展了{n}亩{s}，"],
        scale: (5, 300),
        troubles: &[
            Trouble {
                short: "根腐病烂根",
                detail: "雨水一多根就烂，挖出来一看好多都黑了，收成减了一半",
                target: "控制住根腐病，保住产量和品质。",
            },
            Trouble {
                short: "药材卖不上价",
                detail: "药材商说我们的货有效成分不达标，只给很低的价钱",
                target: "按规范种植和加工，达到药典标准。",
            },
            Trouble {
                short: "种苗退化",
                detail: "自己留的种越种越差，出苗不齐、长势弱",
                target: "换上健康种苗，建一个自己的育苗地。",
            },
        ],
        practices: &["种苗是自己留的。", "晾晒加工都在院坝里手工做。"],
        offers: &[
            Offer {
                title: "{s}规范化种植技术服务",
                body: "提供{s}种苗选择、适宜区划、田间管理和采收加工的规范化（GAP）技术服务，协助建立生产档案。",
                price_yuan: Some((3000, 8000)),
            },
            Offer {
                title: "{s}产地初加工与质量检测指导",
                body: "指导产地清洗、切片、干燥等初加工，送检有效成分，帮助对接药企收购标准。",
                price_yuan: None,
            },
        ],
        findings: &[Finding {
            title: "{s}脱毒种苗快繁技术",
            summary: "通过茎尖脱毒与组培快繁获得健康{s}种苗，繁殖系数提高 3 倍，田间发病率下降 60% 以上。",
            ip_type: "invention_patent",
            maturity: "industrial",
        }],
        tags: &["中药材", "GAP", "种苗繁育", "产地加工"],
        fields: &["中药材栽培"],
        titles: &["副研究员", "农艺师", "主管中药师"],
        employers: &["{c}中药材产业发展中心", "{c}农业农村局"],
        methods: &["实地查看后制定全年种植方案，关键农时到地里指导，采收前帮忙送检。"],
        price_yuan: (3000, 40_000),
    },
    Topic {
        category: "livestock",
        industry: "agriculture",
        farm: true,
        counties: [2, 1, 4, 3, 3, 2],
        subjects: &["土鸡", "蛋鸡", "麻鸭", "肉鹅"],
        openings: &["家里散养了{n}只{s}，", "我们的养殖场有{n}只{s}，"],
        scale: (300, 8000),
        troubles: &[
            Trouble {
                short: "一病死一片",
                detail: "天气变化的时候就开始打蔫、拉稀，几天就死了几十只",
                target: "搞好防疫，把死亡率降下来。",
            },
            Trouble {
                short: "产蛋率下降",
                detail: "这几个月产蛋率掉得厉害，饲料没换过，不晓得啥原因",
                target: "把产蛋率恢复到八成以上。",
            },
        ],
        practices: &["疫苗是自己买来打的。", "圈舍就是简单搭的棚子。"],
        offers: &[Offer {
            title: "{s}养殖疫病防控与饲养管理指导",
            body: "制定免疫程序，指导圈舍消毒、饲养管理和常见病诊治，提高成活率和产蛋率。",
            price_yuan: Some((300, 1500)),
        }],
        findings: &[Finding {
            title: "林下生态{s}养殖技术规程",
            summary: "规定林下生态养殖的密度、轮牧、补饲和防疫要求，产品品质提高，每只增收 15 元以上。",
            ip_type: "none",
            maturity: "industrial",
        }],
        tags: &["家禽养殖", "疫病防控", "生态养殖"],
        fields: &["畜牧兽医"],
        titles: &["执业兽医师", "畜牧师"],
        employers: &["{c}畜牧兽医站"],
        methods: &["上门看鸡群和圈舍，调整免疫程序和饲料，两周后回访。"],
        price_yuan: (800, 10_000),
    },
    Topic {
        category: "ecommerce",
        industry: "services",
        farm: true,
        counties: [4, 1, 4, 3, 3, 2],
        subjects: &["柑橘", "土鸡蛋", "腊肉香肠", "岳池米粉", "黄花"],
        openings: &["我们合作社一年能产{n}吨{s}，", "村里的{s}一年有{n}吨左右，"],
        scale: (10, 500),
        troubles: &[
            Trouble {
                short: "想在网上卖不会弄",
                detail: "东西是好东西，就是只能等贩子上门收，想开网店、搞直播又不会弄",
                target: "把网店开起来，一年在网上卖出三成以上。",
            },
            Trouble {
                short: "快递包装损耗大",
                detail: "试着在网上卖过，快递路上压坏、变质的多，退款退得心疼",
                target: "找到合适的包装和物流，损耗降到百分之五以下。",
            },
            Trouble {
                short: "没有品牌卖不起价",
                detail: "没有品牌、没有包装，跟别人的货放在一起分不出来",
                target: "设计品牌和包装，申请商标，提高售价。",
            },
        ],
        practices: &["在微信朋友圈卖过一点。", "全靠贩子上门收购。"],
        offers: &[
            Offer {
                title: "农产品网店开设与直播带货培训",
                body: "手把手教开网店、拍产品图、做短视频和直播带货，适合合作社和家庭农场的{s}等产品。",
                price_yuan: Some((500, 3000)),
            },
            Offer {
                title: "{s}品牌策划与包装设计",
                body: "为本地{s}做品牌命名、商标申请、包装设计和电商详情页，打造区域特色品牌。",
                price_yuan: None,
            },
        ],
        findings: &[],
        tags: &["农产品电商", "直播带货", "品牌策划", "冷链物流"],
        fields: &["农村电子商务"],
        titles: &["电子商务师", "经济师"],
        employers: &["{c}电子商务公共服务中心", "{c}供销合作社"],
        methods: &["先到合作社看产品，定网店方案，帮着开店上架，前三个月陪跑运营。"],
        price_yuan: (2000, 30_000),
    },
    Topic {
        category: "agri_processing",
        industry: "agriculture",
        farm: false,
        counties: [3, 2, 5, 2, 3, 2],
        subjects: &["米粉", "腊肉香肠", "红薯粉条", "豆腐干", "果酒"],
        openings: &[
            "我们是一家做{s}的小厂，一年产量{n}吨，",
            "家庭作坊做{s}十几年了，一年大概{n}吨，",
        ],
        scale: (20, 2000),
        troubles: &[
            Trouble {
                short: "生产许可证办不下来",
                detail: "想办食品生产许可证（SC），车间布局和检验条件都达不到要求",
                target: "按要求改造车间，顺利拿到许可证。",
            },
            Trouble {
                short: "保质期太短",
                detail: "产品放不了几天就变质，只能在本地卖，走不远",
                target: "在不加防腐剂的前提下把保质期延长到三个月以上。",
            },
            Trouble {
                short: "生产线想改成半自动",
                detail: "现在全靠手工，工人难招、产量上不去，产品也不稳定",
                target: "改成半自动生产线，产量翻一番。",
            },
        ],
        practices: &["目前是家庭作坊手工生产。", "请过设备厂家来看，报价太高。"],
        offers: &[
            Offer {
                title: "{s}食品生产许可（SC）申办辅导",
                body: "对照许可审查细则，指导车间布局改造、制度文件编写和出厂检验，陪同现场核查。",
                price_yuan: Some((5000, 20_000)),
            },
            Offer {
                title: "{s}加工工艺改进与保质期延长",
                body: "分析变质原因，改进杀菌、包装和工艺流程，做保质期验证试验。",
                price_yuan: None,
            },
        ],
        findings: &[Finding {
            title: "{s}低温杀菌保鲜工艺",
            summary: "采用低温巴氏杀菌配合气调包装，{s}常温保质期由 15 天延长到 120 天，风味保持良好，已在本地企业应用。",
            ip_type: "invention_patent",
            maturity: "industrial",
        }],
        tags: &["农产品加工", "食品安全", "SC 认证", "保鲜"],
        fields: &["食品科学与工程", "农产品加工"],
        titles: &["高级工程师", "食品工程师"],
        employers: &["{c}市场监督管理局检验所", "四川广安职业技术学院"],
        methods: &["到车间看现场，列出整改清单，协助编写制度文件并模拟核查。"],
        price_yuan: (5000, 80_000),
    },
    Topic {
        category: "agri_machinery",
        industry: "agriculture",
        farm: true,
        counties: [1, 1, 3, 3, 2, 1],
        subjects: &["植保无人机", "微耕机", "稻谷烘干机", "果园轨道运输机"],
        openings: &["我们合作社有{n}亩地，", "村里{n}亩地都是山坡地，"],
        scale: (50, 2000),
        troubles: &[
            Trouble {
                short: "选型拿不准",
                detail: "想买{s}，厂家说得天花乱坠，不晓得哪种适合我们这种丘陵地",
                target: "选到合适的机型，用得起、用得好。",
            },
            Trouble {
                short: "不会用也不会修",
                detail: "去年买的{s}，操作手不熟练，坏了也不会修，经常停着",
                target: "培训两个会用会修的操作手。",
            },
        ],
        practices: &["现在主要靠人工。", "找过厂家售后，来一次要等好几天。"],
        offers: &[Offer {
            title: "{s}选型、操作与维修培训",
            body: "根据地形和作物推荐{s}机型，开展操作和日常维修培训，可申请农机购置补贴。",
            price_yuan: Some((800, 5000)),
        }],
        findings: &[Finding {
            title: "丘陵山地{s}改进设计",
            summary: "针对丘陵小地块改进{s}的结构和动力配置，爬坡能力提高 30%，已在广安多个乡镇试用。",
            ip_type: "utility_patent",
            maturity: "small_pilot",
        }],
        tags: &["农业机械", "植保无人机", "丘陵山区农机"],
        fields: &["农业机械化"],
        titles: &["农机工程师", "高级农机工程师"],
        employers: &["{c}农机推广站"],
        methods: &["到地里看地形，推荐机型，到货后现场培训操作手。"],
        price_yuan: (1000, 20_000),
    },
    Topic {
        category: "manufacturing",
        industry: "industry",
        farm: false,
        counties: [6, 4, 2, 1, 2, 4],
        subjects: &["汽摩配件", "钣金件", "农机零部件", "液压件", "紧固件"],
        openings: &[
            "我们是一家做{s}加工的企业，有{n}名工人，",
            "公司主要生产{s}，车间有{n}台设备，",
        ],
        scale: (10, 200),
        troubles: &[
            Trouble {
                short: "加工精度不稳定",
                detail: "同一批零件尺寸波动大，废品率在百分之八左右，客户投诉多",
                target: "把废品率降到百分之二以下。",
            },
            Trouble {
                short: "生产线老设备故障多",
                detail: "几台用了十多年的设备经常报故障，原厂已经不提供服务，影响交货",
                target: "完成数控系统升级改造，月停机控制在一天以内。",
            },
            Trouble {
                short: "焊接工艺要改进",
                detail: "焊缝外观和强度都不太稳定，熟练焊工又难招",
                target: "改进焊接工艺，能用上焊接机器人更好。",
            },
            Trouble {
                short: "车间想上数字化管理",
                detail: "生产计划和质量记录全靠纸质表格，出了问题追不到原因",
                target: "用不太高的投入把生产数据管起来。",
            },
        ],
        practices: &["靠老师傅经验维修调整。", "请过外地的公司来看，费用太高。"],
        offers: &[
            Offer {
                title: "{s}加工工艺优化与质量改进",
                body: "分析加工误差来源，优化刀具、夹具和切削参数，建立首件检验和过程控制。",
                price_yuan: None,
            },
            Offer {
                title: "老旧数控设备诊断与改造",
                body: "诊断老旧数控设备故障，完成数控系统、伺服驱动升级改造，恢复加工精度。",
                price_yuan: Some((20_000, 80_000)),
            },
            Offer {
                title: "中小企业数字化车间咨询",
                body: "为{s}等中小加工企业梳理生产流程，选配适用的生产管理软件和数据采集终端。",
                price_yuan: None,
            },
        ],
        findings: &[Finding {
            title: "{s}柔性加工夹具",
            summary: "可快速换型的柔性夹具，换型时间由 40 分钟缩短到 8 分钟，适合多品种小批量的{s}加工。",
            ip_type: "utility_patent",
            maturity: "industrial",
        }],
        tags: &["机械加工", "数控机床", "质量改进", "智能制造"],
        fields: &["机械制造", "数控技术"],
        titles: &["高级工程师", "机械工程师", "高级技师"],
        employers: &[
            "广安经开区机械制造企业",
            "四川广安职业技术学院",
            "{c}经济和信息化局",
        ],
        methods: &[
            "到车间跟班两天，测量分析误差来源，出改进方案并指导试制。",
            "先诊断设备故障，再出改造方案和清单，改造后负责调试验收。",
        ],
        price_yuan: (20_000, 300_000),
    },
    Topic {
        category: "electronics",
        industry: "industry",
        farm: false,
        counties: [5, 2, 1, 0, 1, 4],
        subjects: &["电子元器件", "智能终端", "物联网设备", "线路板"],
        openings: &[
            "我们是做{s}的企业，员工{n}人，",
            "公司生产{s}，年产值{n}百万元，",
        ],
        scale: (20, 300),
        troubles: &[
            Trouble {
                short: "产品可靠性测试不过",
                detail: "客户要求做高低温和振动测试，我们的产品有一项一直过不了",
                target: "找到失效原因，通过客户的可靠性测试。",
            },
            Trouble {
                short: "企业想转型做农业物联网产品",
                detail: "想开发一款给果园和大棚用的监测终端，缺硬件设计人员",
                target: "半年内做出样机并小批量试产。",
            },
        ],
        practices: &["目前是照着客户图纸加工。", "研发靠两个年轻工程师自己摸索。"],
        offers: &[
            Offer {
                title: "{s}硬件设计与可靠性咨询",
                body: "提供原理图与 PCB 设计评审、可靠性试验方案和失效分析，帮助产品通过认证测试。",
                price_yuan: None,
            },
            Offer {
                title: "农业物联网终端方案设计",
                body: "为果园、大棚和养殖场设计低功耗监测终端，含传感器选型、通信方案和样机开发。",
                price_yuan: Some((30_000, 150_000)),
            },
        ],
        findings: &[Finding {
            title: "低功耗{s}无线通信模块",
            summary: "面向农业和工业监测的低功耗无线通信模块，待机功耗较同类产品降低 40%，已完成中试和入网测试。",
            ip_type: "utility_patent",
            maturity: "pilot",
        }],
        tags: &["电子信息", "物联网", "PCB 设计", "可靠性"],
        fields: &["电子信息", "嵌入式系统"],
        titles: &["高级工程师", "电子工程师"],
        employers: &["广安经开区电子科技企业", "{c}经济和信息化局"],
        methods: &["先评审设计资料和失效样品，做针对性试验，给出整改方案并复测。"],
        price_yuan: (30_000, 200_000),
    },
    Topic {
        category: "ip",
        industry: "services",
        farm: false,
        counties: [5, 2, 2, 1, 2, 2],
        subjects: &["专利申请", "商标注册", "高新技术企业认定"],
        openings: &["我们是一家{n}人的小企业，", "公司成立{n}年，"],
        scale: (3, 60),
        troubles: &[
            Trouble {
                short: "不知道怎么办理",
                detail: "想做{s}，不清楚流程、费用和需要准备哪些材料",
                target: "三个月内把{s}的材料递交上去。",
            },
            Trouble {
                short: "材料准备不会弄",
                detail: "{s}要准备的技术材料和证明文件太多，自己写了两次都不合格",
                target: "在专业人员帮助下把材料一次准备好。",
            },
            Trouble {
                short: "费用和周期想先了解",
                detail: "我们的产品最近被同行仿冒，想先把{s}办起来，不清楚要花多少钱、多长时间",
                target: "把知识产权保护起来，必要时依法维权。",
            },
        ],
        practices: &["尚未咨询过代理机构。", "在网上找过代理，不放心。"],
        offers: &[
            Offer {
                title: "{s}代理与咨询",
                body: "为科技型中小企业和合作社提供{s}全流程代理，免费初步评估。",
                price_yuan: Some((2000, 8000)),
            },
            Offer {
                title: "企业知识产权布局与维权咨询",
                body: "梳理企业技术成果，制定专利和商标布局，协助处理侵权纠纷。",
                price_yuan: None,
            },
        ],
        findings: &[],
        tags: &["知识产权", "专利申请", "商标", "高新技术企业"],
        fields: &["知识产权"],
        titles: &["专利代理师", "律师"],
        employers: &["广安市知识产权服务中心", "{c}律师事务所"],
        methods: &["先梳理企业的技术和产品，出申请方案和时间表，代理全部手续。"],
        price_yuan: (3000, 30_000),
    },
    Topic {
        category: "tax",
        industry: "services",
        farm: false,
        counties: [4, 2, 2, 1, 2, 2],
        subjects: &["研发费用加计扣除", "高新技术企业申报", "科技项目申报"],
        openings: &[
            "公司今年营业收入{n}百万元左右，",
            "我们是一家{n}人的科技型企业，",
        ],
        scale: (2, 80),
        troubles: &[
            Trouble {
                short: "政策吃不透",
                detail: "听说{s}有扶持政策，但不清楚我们符不符合条件，担心申报不规范",
                target: "把政策用足，申报规范、不留风险。",
            },
            Trouble {
                short: "材料不会准备",
                detail: "由会计按经验做账，没有设研发辅助账，申报的时候拿不出材料",
                target: "建立规范的账务和研发辅助账。",
            },
        ],
        practices: &["由兼职会计处理。", "去年自己申报过一次，没有通过。"],
        offers: &[Offer {
            title: "科技型企业{s}辅导",
            body: "为科技型中小企业提供{s}政策解读、材料准备和账务规范辅导。",
            price_yuan: Some((2000, 10_000)),
        }],
        findings: &[],
        tags: &["财税服务", "加计扣除", "项目申报"],
        fields: &["财务与税务"],
        titles: &["注册会计师", "税务师", "会计师"],
        employers: &["{c}会计师事务所", "广安市科技服务中心"],
        methods: &["先看企业的账务和项目资料，出申报方案，辅导建立辅助账并审核申报材料。"],
        price_yuan: (3000, 40_000),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subject fits every title pattern within the 60-character title limit, every
    /// county has some farm subject and every topic has providers' words to write with.
    #[test]
    fn tables_are_complete() {
        for t in TOPICS {
            assert!(!t.subjects.is_empty() && !t.troubles.is_empty() && !t.offers.is_empty());
            assert!(!t.openings.is_empty() && !t.practices.is_empty() && !t.methods.is_empty());
            assert!(!t.fields.is_empty() && !t.titles.is_empty() && !t.employers.is_empty());
            assert!(t.scale.0 <= t.scale.1 && t.price_yuan.0 <= t.price_yuan.1);
            for s in t.subjects {
                for tr in t.troubles {
                    let longest = FARM_TITLES
                        .iter()
                        .chain(FIRM_TITLES)
                        .map(|p| p.replace("{s}", s).replace("{t}", tr.short).chars().count());
                    assert!(longest.max().unwrap_or(0) <= 60, "{s}{}", tr.short);
                }
            }
        }
        for (c, towns) in TOWNS.iter().enumerate() {
            assert!(TOPICS.iter().any(|t| t.farm && t.counties[c] > 0));
            assert!(!towns.is_empty());
        }
    }
}
