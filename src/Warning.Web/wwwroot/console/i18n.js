// The console's words in zh-CN (the duty room's language) and en; the choice is kept per browser.
const words = {
  zh: {
    title: "矛盾纠纷预警 · 值班台", signedIn: "已登录", signOut: "退出", view: "视图", viewOpen: "全部未结", viewUnacked: "未签收",
    viewAll: "全部", area: "区域", rule: "规则", state: "状态", category: "类别", any: "全部", empty: "暂无警报",
    keys: "快捷键: J/K 上下 · A 签收 · Esc 关闭", ackComment: "签收意见 (必填)", ack: "签收 (A)", unack: "撤销签收",
    department: "派单部门", deadline: "办理时限", comment: "说明", assign: "吹哨派单", resolveNote: "办结说明 (必填)", resolve: "办结",
    addComment: "添加备注", case: "案件与风险原因", timeline: "处置记录", onCall: "值班安排", silences: "静默规则", reason: "原因 (必填)",
    endsAt: "到期时间", silence: "静默", expire: "解除", live: "实时", reconnecting: "重连中", down: "已断开", connecting: "连接中",
    lastUpdate: (s) => `最后更新 ${s} 秒前`, never: "尚未更新", muted: "提示音: 关", unmuted: "提示音: 开", count: "次数", firstSeen: "首次",
    lastSeen: "最近", escalation: "升级层级", acknowledgedBy: "签收人", assignedTo: "派单", silencedBy: "已静默", inhibitedBy: "被抑制于",
    conflict: (v) => `该警报已被他人更新 (版本 ${v})，已显示最新状态，请确认后再操作。`, failed: "操作失败", probability: "风险概率",
    level: "风险等级", status: "案件状态", people: "涉及人数", attempts: "调解次数", keyIndividuals: "重点人员 (人数)", age: "已持续",
    by: "创建人", noOnCall: "未排班", onDuty: "当前值班", noSilences: "无生效的静默", climbsAfter: "无人签收则升级于",
    shownOf: (n, total) => `显示前 ${n} 条，共 ${total} 条`, showMore: "显示更多",
  },
  en: {
    title: "Dispute early warning · Duty console", signedIn: "Signed in", signOut: "Sign out", view: "View", viewOpen: "All open",
    viewUnacked: "Unacknowledged", viewAll: "All", area: "Area", rule: "Rule", state: "State", category: "Category", any: "Any",
    empty: "No alerts", keys: "Keys: J/K move · A acknowledge · Esc close", ackComment: "Acknowledgement comment (required)",
    ack: "Acknowledge (A)", unack: "Unacknowledge", department: "Department", deadline: "Deadline", comment: "Comment", assign: "Dispatch",
    resolveNote: "Resolution note (required)", resolve: "Resolve", addComment: "Add comment", case: "Case and risk reasons",
    timeline: "Timeline", onCall: "On call", silences: "Silences", reason: "Reason (required)", endsAt: "Ends at", silence: "Silence",
    expire: "Expire", live: "Live", reconnecting: "Reconnecting", down: "Disconnected", connecting: "Connecting",
    lastUpdate: (s) => `last update ${s} s ago`, never: "no update yet", muted: "Sound: off", unmuted: "Sound: on", count: "Count",
    firstSeen: "First seen", lastSeen: "Last seen", escalation: "Escalation level", acknowledgedBy: "Acknowledged by",
    assignedTo: "Assigned to", silencedBy: "Silenced by", inhibitedBy: "Inhibited by",
    conflict: (v) => `Someone else changed this alert (version ${v}); the current alert is shown, check it before acting again.`,
    failed: "Command failed", probability: "Risk probability", level: "Risk level", status: "Case status", people: "People involved",
    attempts: "Mediation attempts", keyIndividuals: "Key individuals (count)", age: "Active for", by: "Created by",
    noOnCall: "nobody scheduled", onDuty: "On duty now", noSilences: "No active silences", climbsAfter: "unacknowledged, climbs after",
    shownOf: (n, total) => `showing the first ${n} of ${total}`, showMore: "Show more",
  },
};

const vocab = {
  zh: {
    severity: { critical: "极高", high: "高", warning: "警告", info: "提示" },
    state: { pending: "待定", firing: "告警中", acknowledged: "已签收", resolved: "已办结", suppressed: "已抑制" },
    rule: {
      case_high: "案件高风险", harm_incident: "伤害事件", check_in_missed: "重点人员未报到", spike: "异常聚集", case_overdue: "案件超期",
      screening_overdue: "网格排查超期", feed_silent: "数据源中断", delivery_failed: "通知投递失败", mass_incident: "群体性事件",
    },
    department: {
      public_security: "公安", justice: "司法", human_resources: "人社", housing: "住建", petitions: "信访", civil_affairs: "民政",
      health: "卫健", natural_resources: "自然资源", market_regulation: "市场监管",
    },
    category: {
      land: "土地", demolition: "征地拆迁", marriage_family: "婚姻家庭", neighbor: "邻里", labor_wage: "劳资欠薪", debt: "债务",
      property_mgmt: "物业", medical: "医疗", traffic: "交通事故", consumer: "消费", environment: "环境", other: "其他",
    },
  },
  en: {
    severity: { critical: "Critical", high: "High", warning: "Warning", info: "Info" },
    state: { pending: "Pending", firing: "Firing", acknowledged: "Acknowledged", resolved: "Resolved", suppressed: "Suppressed" },
    rule: {
      case_high: "High-risk case", harm_incident: "Harm incident", check_in_missed: "Missed check-in", spike: "Spike",
      case_overdue: "Case overdue", screening_overdue: "Grid screening overdue", feed_silent: "Feed silent", delivery_failed: "Delivery failed",
      mass_incident: "Mass incident",
    },
    department: {
      public_security: "Public security", justice: "Justice", human_resources: "Human resources & social security", housing: "Housing",
      petitions: "Petitions office", civil_affairs: "Civil affairs", health: "Health", natural_resources: "Natural resources",
      market_regulation: "Market regulation",
    },
    category: {
      land: "Land", demolition: "Demolition", marriage_family: "Marriage & family", neighbor: "Neighbours", labor_wage: "Unpaid wages",
      debt: "Debt", property_mgmt: "Property management", medical: "Medical", traffic: "Traffic", consumer: "Consumer",
      environment: "Environment", other: "Other",
    },
  },
};

export let lang = localStorage.getItem("warning.console.lang") === "en" ? "en" : "zh";

export function t(key, ...args) {
  const w = words[lang][key] ?? words.zh[key] ?? key;
  return typeof w === "function" ? w(...args) : w;
}

/** A wire name of a vocabulary (severity, state, rule, department, category) in the current language. */
export const name = (kind, key) => vocab[lang][kind]?.[key] ?? key ?? "";

export const names = (kind) => Object.keys(vocab.zh[kind]);

/** A text the service sends in both languages, in whatever shape: { zh, en }, { "zh-CN", en } or a plain string. */
export function both(value) {
  if (value == null || typeof value !== "object") return value ?? "";
  return (lang === "en" ? value.en : value.zh ?? value["zh-CN"] ?? value.zhCN) ?? value.en ?? value.zh ?? value["zh-CN"] ?? "";
}

export function applyTo(root = document) {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const e of root.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
}

export function toggle() {
  lang = lang === "en" ? "zh" : "en";
  localStorage.setItem("warning.console.lang", lang);
  applyTo();
}
