#!/usr/bin/env python3
"""Drafts relevance.jsonl from topics.toml and the hand-written lists below.

The committed relevance.jsonl is the source of truth (review it, edit it by hand); this script
only produced its first draft and can redraft it after topics.toml changes:

    python3 crates/kejiyun-corpus/data/draft_relevance.py > crates/kejiyun-corpus/data/relevance.jsonl
"""
import csv
import json
import os
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "topics.toml"), "rb") as f:
    SUBS = tomllib.load(f)["sub"]
BY_ID = {s["id"]: s for s in SUBS}
AREAS = os.path.join(HERE, "../../kejiyun-db/data/china-division/areas.csv")
with open(AREAS, encoding="utf-8") as f:
    COUNTIES = [r["code"] for r in csv.DictReader(f) if r["code"].startswith("51")]

# One character as typed into the search box, and the subtopics it means.
ONE_CHAR = [
    ("茶", ["tea_processing", "tea_pests"]),
    ("猪", ["asf", "pig_breeding"]),
    ("牛", ["beef_cattle"]),
    ("税", ["vat", "rd_deduction", "bookkeeping", "high_tech"]),
    ("菌", ["edible_fungi"]),
    ("稻", ["rice_blast", "rice_seedling", "rice_fish", "grain_drying"]),
    ("焊", ["welding"]),
    ("虾", ["rice_fish"]),
    ("橘", ["citrus_hlb", "citrus_sales"]),
    ("菇", ["edible_fungi"]),
    ("棚", ["greenhouse"]),
    ("锂", ["li_battery", "battery_recycling"]),
    ("模", ["injection_mold"]),
    ("药", ["gmp", "herbal_planting", "herbal_processing", "clinical_trial", "vet_drugs"]),
    ("泡", ["pickles"]),
    ("震", ["disaster_popsci"]),
    ("沼", ["biogas"]),
    ("漆", ["coating", "air_pollution"]),
]
# Queries whose words are shared with a near-miss subtopic; the target is the one meant.
NEAR_MISS = [
    ("柑橘 网上销售", ["citrus_sales"]),
    ("柑橘 病害 防治", ["citrus_hlb"]),
    ("废旧 锂电池 回收", ["battery_recycling"]),
    ("锂电池 电芯 生产", ["li_battery"]),
    ("猪场 疫病 防控", ["asf"]),
    ("母猪 产仔", ["pig_breeding"]),
    ("茶叶 虫害", ["tea_pests"]),
    ("茶叶 杀青 揉捻", ["tea_processing"]),
    ("工业机器人 少儿 编程课", ["robot_education"]),
    ("机器人 码垛 产线", ["industrial_robot"]),
    ("5G 远程 会诊", ["telemedicine"]),
    ("5G 基站 信号", ["base_station_5g"]),
    ("专利 质押 贷款", ["ip_financing"]),
    ("商标 专利 代理", ["patent", "trademark"]),
    ("医疗器械 维修", ["device_repair"]),
    ("医疗器械 注册证", ["device_registration"]),
    ("电路板 贴片", ["smt"]),
    ("电路板 设计 layout", ["pcb"]),
    ("技术合同 免税", ["tech_contract"]),
    ("劳动 合同 仲裁", ["labor_contract"]),
]
# Further mixed and number queries beyond each subtopic's first `mix` term.
EXTRA_MIXED = [
    ("18650", "li_battery"),
    ("LFP", "li_battery"),
    ("2000吨/日", "wastewater"),
    ("100kW", "solar_pv"),
    ("0402", "smt"),
    ("NB-IoT", "iot_sensor"),
    ("ISO13485", "device_registration"),
    ("PA66", "modified_plastics"),
    ("4层板", "pcb"),
    ("MCU", "mcu"),
    ("五轴联动", "cnc"),
    ("3%征收率", "vat"),
    ("N+1", "labor_contract"),
    ("PM2.5", "air_pollution"),
    ("Python", "robot_education"),
    ("II期临床", "clinical_trial"),
]
NEED_TITLES = [
    "求{core}技术服务",
    "寻找{core}方面的专家",
    "急需{core}支持",
    "关于{core}的需求",
]


def terms(s):
    return set(s["core"]) | set(s["syn"]) | set(s.get("mix", []))


def targets(sub_id, term):
    """The subtopic, plus any other that names the same exact term."""
    out = [sub_id]
    out += [s["id"] for s in SUBS if s["id"] != sub_id and term in terms(s)]
    return out


def emit(**e):
    print(json.dumps(e, ensure_ascii=False))


def main():
    for s in SUBS:
        sid, topic = s["id"], s["topic"]
        emit(id=f"kw-{sid}", type="keyword", query=s["core"][0], topic=topic,
             subtopics=targets(sid, s["core"][0]))
    for s in SUBS:
        sid, topic = s["id"], s["topic"]
        emit(id=f"syn-{sid}", type="synonym", query=s["syn"][0], topic=topic,
             subtopics=targets(sid, s["syn"][0]))
    seen = set()
    mixed = [(m, s["id"]) for s in SUBS for m in s.get("mix", [])[:1]] + EXTRA_MIXED
    for i, (m, sid) in enumerate(mixed):
        if m in seen:
            continue
        seen.add(m)
        emit(id=f"mix-{i + 1:03}", type="mixed", query=m, topic=BY_ID[sid]["topic"],
             subtopics=targets(sid, m))
    for i, (q, subs) in enumerate(ONE_CHAR):
        emit(id=f"char-{i + 1:02}", type="one_char", query=q, topic=BY_ID[subs[0]]["topic"],
             subtopics=subs)
    for s in SUBS:
        sid, topic = s["id"], s["topic"]
        emit(id=f"phrase-{sid}", type="phrase", query=f"{s['core'][-1]} {s['rel'][0]}",
             topic=topic, subtopics=[sid])
    for i, (q, subs) in enumerate(NEAR_MISS):
        emit(id=f"near-{i + 1:02}", type="near_miss", query=q, topic=BY_ID[subs[0]]["topic"],
             subtopics=subs)
    for i, s in enumerate(SUBS):
        sid, topic = s["id"], s["topic"]
        title = NEED_TITLES[i % len(NEED_TITLES)].format(core=s["core"][i % len(s["core"])])
        # Spread needs over the province: every 7th county keeps them in different prefectures.
        region = COUNTIES[(i * 7) % len(COUNTIES)]
        emit(id=f"need-{sid}", type="need", title=title, body=s["need"], region=region,
             category=s["cat"], topic=topic, subtopics=[sid])


main()
