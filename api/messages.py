"""What the service says to people, in Chinese (default) and English, looked up by key."""

from __future__ import annotations

from dataclasses import dataclass

from api.i18n import Lang
from geo.i18n import Localised

__all__ = ["TITLES", "Said", "message"]

TITLES: dict[int, dict[Lang, str]] = {
    400: {Lang.zh: "请求有误", Lang.en: "Bad request"},
    401: {Lang.zh: "需要登录", Lang.en: "Authentication required"},
    403: {Lang.zh: "无此权限", Lang.en: "Forbidden"},
    404: {Lang.zh: "未找到", Lang.en: "Not found"},
    405: {Lang.zh: "不支持该请求方法", Lang.en: "Method not allowed"},
    406: {Lang.zh: "无法提供所请求的格式", Lang.en: "Not acceptable"},
    409: {Lang.zh: "与当前状态冲突", Lang.en: "Conflict"},
    412: {Lang.zh: "版本已变化", Lang.en: "Precondition failed"},
    413: {Lang.zh: "文件过大", Lang.en: "Content too large"},
    415: {Lang.zh: "不支持的文件类型", Lang.en: "Unsupported media type"},
    422: {Lang.zh: "输入无法使用", Lang.en: "Unprocessable content"},
    428: {Lang.zh: "缺少版本标识", Lang.en: "Precondition required"},
    500: {Lang.zh: "服务内部错误", Lang.en: "Internal server error"},
}

_MESSAGES: dict[str, dict[Lang, str]] = {
    "not_found": {Lang.zh: "没有这个地址：{path}", Lang.en: "There is nothing at {path}"},
    "method_not_allowed": {
        Lang.zh: "{path} 不支持 {method}",
        Lang.en: "{path} does not accept {method}",
    },
    "bad_request": {Lang.zh: "请求有误：{detail}", Lang.en: "Bad request: {detail}"},
    "request_invalid": {
        Lang.zh: "请求内容不符合要求：{errors}",
        Lang.en: "The request is not valid: {errors}",
    },
    "internal": {
        Lang.zh: "服务出错，已记录，请稍后重试",
        Lang.en: "The service failed; the error was logged, please try again later",
    },
    "input_error": {
        Lang.zh: "输入无法使用：{detail}",
        Lang.en: "The input cannot be used: {detail}",
    },
    "login_failed": {Lang.zh: "用户名或密码不正确", Lang.en: "Wrong user name or password"},
    "token_missing": {
        Lang.zh: "此操作需要登录（Authorization: Bearer 令牌）",
        Lang.en: "This needs a signed-in user (Authorization: Bearer token)",
    },
    "token_invalid": {
        Lang.zh: "登录令牌无效或已过期，请重新登录",
        Lang.en: "The token is invalid or has expired; sign in again",
    },
    "forbidden_role": {
        Lang.zh: "角色“{role}”不能执行此操作（需要：{allowed}）",
        Lang.en: "Role '{role}' may not do this (needs: {allowed})",
    },
    "proposal_not_found": {Lang.zh: "没有编号为 {id} 的方案", Lang.en: "There is no proposal {id}"},
    "no_approved_community": {
        Lang.zh: "暂无已批复的产业型社区；社区批复后，此处显示公示地图",
        Lang.en: "No industrial community has been approved yet; the briefing map appears here "
        "once one is",
    },
    "community_not_public": {
        Lang.zh: "没有编号为 {id} 的已批复社区（方案批复后才公开）",
        Lang.en: "There is no approved community {id} (a proposal is public once approved)",
    },
    "version_not_found": {
        Lang.zh: "方案 {id} 没有第 {version} 版",
        Lang.en: "Proposal {id} has no version {version}",
    },
    "town_not_found": {Lang.zh: "没有编号为 {id} 的镇（街道）", Lang.en: "There is no town {id}"},
    "no_town": {
        Lang.zh: "数据库中还没有镇（街道）背景数据",
        Lang.en: "No town has been loaded yet",
    },
    "if_match_missing": {
        Lang.zh: "修改方案需要 If-Match 请求头（当前版本的 ETag {etag}），以免覆盖他人的修改",
        Lang.en: "An edit needs an If-Match header with the current version's "
        "ETag {etag}, so that no one's edit is overwritten",
    },
    "if_match_stale": {
        Lang.zh: "方案已被修改（当前为第 {version} 版，ETag {etag}）；请重新读取后再修改",
        Lang.en: "The proposal has changed (now version {version}, ETag {etag}); "
        "read it again and redo the edit",
    },
    "edit_locked": {
        Lang.zh: "方案处于“{state}”状态，不能修改边界（仅草稿或暂缓状态可修改）",
        Lang.en: "The proposal is '{state}'; its boundary can be edited only as a "
        "draft or when postponed",
    },
    "not_polygon": {
        Lang.zh: "方案几何必须是面（Polygon 或 MultiPolygon），收到的是 {got}",
        Lang.en: "A proposal's geometry must be a Polygon or MultiPolygon, got {got}",
    },
    "bad_geojson": {
        Lang.zh: "GeoJSON 无法读取：{reason}",
        Lang.en: "The GeoJSON cannot be read: {reason}",
    },
    "geojson_not_object": {Lang.zh: "不是 JSON 对象", Lang.en: "not a JSON object"},
    "geojson_not_feature": {Lang.zh: "应为 Feature（要素）", Lang.en: "expected a Feature"},
    "geojson_empty_geometry": {
        Lang.zh: "几何为空或坐标不是有限数值",
        Lang.en: "empty geometry or non-finite coordinates",
    },
    "geojson_properties_not_object": {
        Lang.zh: "properties 应为对象",
        Lang.en: "properties must be an object",
    },
    "name_missing": {
        Lang.zh: "方案需要名称（properties.name）",
        Lang.en: "A proposal needs a name (properties.name)",
    },
    "outside_town": {
        Lang.zh: "方案不在镇（街道）“{town}”范围内；请检查坐标系（Content-Crs）",
        Lang.en: "The proposal is not inside the town '{town}'; check its CRS (Content-Crs)",
    },
    "crs_unsupported": {
        Lang.zh: "不支持坐标系 {crs}；可用：{allowed}",
        Lang.en: "CRS {crs} is not supported; use one of {allowed}",
    },
    "bbox_invalid": {
        Lang.zh: "bbox 应为 4 个数字“minx,miny,maxx,maxy”，收到 {got}",
        Lang.en: "bbox must be four numbers 'minx,miny,maxx,maxy', got {got}",
    },
    "collection_not_found": {
        Lang.zh: "没有名为 {id} 的图层集合",
        Lang.en: "There is no collection {id}",
    },
    "feature_not_found": {
        Lang.zh: "集合 {collection} 中没有要素 {fid}",
        Lang.en: "Collection {collection} has no feature {fid}",
    },
    "not_run": {
        Lang.zh: "第 {version} 版尚未进行{kind}；请先 POST 到此地址",
        Lang.en: "Version {version} has no {kind} yet; POST to this address to run it",
    },
    "job_not_found": {Lang.zh: "没有编号为 {id} 的任务", Lang.en: "There is no job {id}"},
    "job_not_finished": {
        Lang.zh: "任务 {id} 尚未完成（{state}）",
        Lang.en: "Job {id} has not finished ({state})",
    },
    "transition_invalid": {
        Lang.zh: "方案处于“{state}”状态，不能进行“{action}”；可进行：{allowed}",
        Lang.en: "The proposal is '{state}'; '{action}' is not possible; possible: {allowed}",
    },
    "action_unknown": {
        Lang.zh: "未知的流程环节 {action}；可用：{allowed}",
        Lang.en: "Unknown workflow step {action}; use one of {allowed}",
    },
    "opinions_missing": {
        Lang.zh: "部门联审尚无部门意见，不能通过联审",
        Lang.en: "No department has given an opinion; the joint review cannot pass",
    },
    "opinions_disagree": {
        Lang.zh: "部门 {departments} 不同意，联审不能通过；请驳回或暂缓",
        Lang.en: "Department(s) {departments} disagree; the joint review cannot "
        "pass; reject or postpone instead",
    },
    "survey_closed": {
        Lang.zh: "方案处于“{state}”状态，不在实地踏勘阶段，不能登记踏勘发现",
        Lang.en: "The proposal is '{state}', not in the joint site survey; findings "
        "cannot be recorded",
    },
    "review_closed": {
        Lang.zh: "方案处于“{state}”状态，不在部门联审阶段，不能提交意见",
        Lang.en: "The proposal is '{state}', not in the joint review; opinions cannot be given",
    },
    "department_missing": {
        Lang.zh: "用户“{user}”未设置所属部门",
        Lang.en: "User '{user}' has no department",
    },
    "too_long": {
        Lang.zh: "{field} 最多 {limit} 个字符，收到 {got} 个",
        Lang.en: "{field} takes at most {limit} characters, got {got}",
    },
    "grid_not_found": {
        Lang.zh: "方案 {id} 没有编码为 {grid} 的网格（请先划分网格）",
        Lang.en: "Proposal {id} has no grid {grid} (divide it into grids first)",
    },
    "role_unknown": {
        Lang.zh: "未知的网格岗位 {role}；可用：{allowed}",
        Lang.en: "Unknown grid role {role}; use one of {allowed}",
    },
    "user_exists": {Lang.zh: "用户名“{user}”已存在", Lang.en: "User name '{user}' is taken"},
    "photo_too_large": {
        Lang.zh: "照片 {size:.1f} MB，超过上限 {limit:.1f} MB",
        Lang.en: "The photo is {size:.1f} MB, above the limit of {limit:.1f} MB",
    },
    "photo_type": {
        Lang.zh: "照片须为 JPEG 或 PNG 图像",
        Lang.en: "The photo must be a JPEG or PNG image",
    },
    "photo_missing": {Lang.zh: "该踏勘发现没有照片", Lang.en: "This finding has no photo"},
    "geometry_kind": {
        Lang.zh: "踏勘发现的位置须为点、线或面，收到 {got}",
        Lang.en: "A finding's place must be a point, line or area, got {got}",
    },
    "diff_same": {Lang.zh: "请给出两个版本：from 与 to", Lang.en: "Give two versions: from and to"},
    "upload_unavailable": {
        Lang.zh: "服务器未启用文件上传",
        Lang.en: "File upload is not available",
    },
    "town_exists": {
        Lang.zh: "已有名为“{name}”的镇（街道）；请用 name 字段另取名称",
        Lang.en: "A town named '{name}' exists already; give another name in the 'name' field",
    },
    "town_id_invalid": {
        Lang.zh: "town_id 应为镇（街道）编号（正整数），收到 {got}",
        Lang.en: "town_id must be a town's id (a positive integer), got {got}",
    },
    "rules_invalid": {
        Lang.zh: "规则文件无法使用：{detail}",
        Lang.en: "The rules file cannot be used: {detail}",
    },
    "rules_too_large": {
        Lang.zh: "规则文件“{file}”有 {size:,} 字节，上限 {limit:,} 字节",
        Lang.en: "The rules file '{file}' is {size:,} bytes; at most {limit:,} are accepted",
    },
    "rules_not_for_town": {
        Lang.zh: "规则文件“{file}”只能设置背景数据的图层名和字段名（[context.layers]、"
        "[context.columns.*]）；政策数值（{keys}）对所有镇（街道）适用，由服务的规则文件"
        "（SIJIE_RULES_FILE）设置",
        Lang.en: "The rules file '{file}' may only name the context's layers and columns "
        "([context.layers], [context.columns.*]); policy numbers ({keys}) hold for every "
        "town and are set in the service's rules file (SIJIE_RULES_FILE)",
    },
    "content_type": {
        Lang.zh: "请以 application/geo+json 或 multipart/form-data（file 字段）提交方案",
        Lang.en: "Send the proposal as application/geo+json or multipart/form-data "
        "with a 'file' field",
    },
}


@dataclass(frozen=True)
class Said:
    """A message of this catalogue given as a value of another, said in the same language."""

    key: str

    def message(self, lang: str = "zh") -> str:
        return message(self.key, Lang.of(lang))


def message(key: str, lang: Lang, **values: object) -> str:
    """The message ``key`` in ``lang`` with its ``{placeholders}`` filled; a value that can
    say itself in either language (a sijie error, a text fragment) is said in ``lang``."""
    said = {name: value.message(lang.value) if isinstance(value, Localised) else value
            for name, value in values.items()}
    return _MESSAGES[key][lang].format(**said)
