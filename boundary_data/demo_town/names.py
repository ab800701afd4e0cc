"""Chinese names and codes for the demo town's features, drawn from a seeded generator."""

from __future__ import annotations

import numpy as np

__all__ = ["NamePool", "uscc"]

PLACE_WORDS = [
    "蛟川", "骆驼", "庄市", "澥浦", "九龙", "贵驷", "招宝", "俞范", "沿江", "临江",
    "后海", "长石", "汇头", "清水", "西河", "光明", "团桥", "田顾", "万市", "湾塘",
    "憩桥", "河头", "勤勇", "永旺", "兴庄", "中官", "金川", "南洪", "东邑", "汶溪",
    "觉渡", "青峙", "新泓", "湖塘", "盛宅", "虹桥",
]
ROAD_WORDS = [
    "雄镇", "迎宾", "金川", "俞范", "平海", "沿江", "车站", "庆丰", "中官", "兴海",
    "海天", "北环", "胜利", "东河", "永兴", "前进", "民和", "双园", "荣吉", "跃进",
    "宁镇", "新城", "通江", "天合", "港城", "恒丰", "富春", "明海", "镇宁", "聚源",
    "鼎泰", "万华", "龙赛", "骆兴",
]
COMPANY_WORDS = [
    "甬江", "海天", "镇宇", "恒信", "华泰", "东方", "金鼎", "宏达", "瑞丰", "中科",
    "博瑞", "天鹰", "华邦", "久丰", "立信", "盛世", "众诚", "海德", "浙东", "新海",
    "兴业", "明峰", "广源", "德力", "永祥", "精工", "联创", "嘉禾", "巨能", "汇丰",
    "凯达", "富邦",
]
INDUSTRIES = (
    ("化工", "化学原料和化学制品制造业"),
    ("新材料", "化学原料和化学制品制造业"),
    ("机械", "通用设备制造业"),
    ("模具", "专用设备制造业"),
    ("电气", "电气机械和器材制造业"),
    ("汽车零部件", "汽车制造业"),
    ("紧固件", "金属制品业"),
    ("阀门", "通用设备制造业"),
    ("塑业", "橡胶和塑料制品业"),
    ("电子", "计算机、通信和其他电子设备制造业"),
    ("物流", "装卸搬运和仓储业"),
    ("食品", "食品制造业"),
)
OFFICE_INDUSTRIES = (
    ("科技", "软件和信息技术服务业"),
    ("供应链管理", "商务服务业"),
    ("检测认证", "专业技术服务业"),
    ("贸易", "批发业"),
    ("金融服务", "其他金融业"),
    ("设计咨询", "专业技术服务业"),
)

_ROAD_MIDDLES = ("", "东", "西", "南", "北", "中", "一", "二", "三", "四", "五", "六")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(body17: str) -> str:
    """The 18-character unified social credit code (GB 32100-2015) with its check character."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return body17 + _USCC_CHARS[(31 - total % 31) % 31]


class NamePool:
    """Draws names without repeats from fixed word lists and a seeded generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(500):
            name = make()
            if name not in self._used:
                self._used.add(name)
                return name
        raise RuntimeError("name pool exhausted")

    def _pick(self, words: tuple[str, ...] | list[str]) -> str:
        return words[int(self._rng.integers(len(words)))]

    def place(self, suffix: str, *, reserve: bool = True) -> str:
        """A place name such as 九龙村; a reserved place word is never used again."""
        if not reserve:
            return self._unique(lambda: self._pick(PLACE_WORDS) + suffix)
        word = self._unique(lambda: "place:" + self._pick(PLACE_WORDS))
        return word.removeprefix("place:") + suffix

    def road(self, suffix: str) -> str:
        """A road name such as 雄镇路 or 庆丰支路."""
        return self._unique(lambda: self._pick(ROAD_WORDS) + self._pick(_ROAD_MIDDLES) + suffix)

    def company(self, *, office: bool = False) -> tuple[str, str]:
        """An enterprise name and its industry (国民经济行业 category)."""
        table = OFFICE_INDUSTRIES if office else INDUSTRIES
        drawn: list[str] = []

        def make() -> str:
            word, industry = table[int(self._rng.integers(len(table)))]
            drawn[:] = [industry]
            return (self._pick(("宁波", "镇海", "浙江")) + self._pick(COMPANY_WORDS) + word
                    + self._pick(("有限公司", "股份有限公司")))

        name = self._unique(make)
        return name, drawn[0]

    def credit_code(self) -> str:
        """A well-formed unified social credit code of an enterprise registered in Zhenhai."""
        def make() -> str:
            digits = self._rng.integers(0, len(_USCC_CHARS), 9)
            return uscc("91330211" + "".join(_USCC_CHARS[int(i)] for i in digits))

        return self._unique(make)
