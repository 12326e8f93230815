// zh-CN names of the dispute categories' wire names (CONTRACTS.md), one table for every panel of the screen.
export const categoryNames = Object.freeze({
  land: "土地", demolition: "征地拆迁", marriage_family: "婚姻家庭", neighbor: "邻里", labor_wage: "劳资欠薪", debt: "债务",
  property_mgmt: "物业", medical: "医疗", traffic: "交通事故", consumer: "消费", environment: "环境", other: "其他",
});

export const categoryName = (key) => categoryNames[key] || key;
