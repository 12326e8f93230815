using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>Short report texts in the grid workers' register. Never a person's name: parties are "双方", "一方", "当事人".</summary>
internal static class Summaries
{
    private static readonly string[][] Opening =
    [
        ["因宅基地边界发生争执", "因承包地界畔划分产生纠纷", "因土地流转费用结算发生矛盾", "因灌溉用水先后次序发生争执", "因林地权属不清引发纠纷"],
        ["因拆迁补偿标准存在分歧", "因房屋征收面积认定产生争议", "因安置房分配发生矛盾"],
        ["夫妻感情不和，一方提出离婚", "因赡养老人费用分担发生家庭矛盾", "因彩礼返还问题产生纠纷", "因家庭财产分割发生争执", "婆媳关系紧张引发家庭矛盾"],
        ["因邻里通道使用发生争执", "因排水问题引发邻里矛盾", "因建房遮挡采光发生纠纷", "因家畜损坏庄稼引发争吵", "因噪音扰民产生邻里矛盾"],
        ["务工人员讨要拖欠工资", "因工程款结算拖欠农民工工资", "因工伤赔偿与用工方发生争议"],
        ["因民间借贷到期未还发生纠纷", "因合伙经营欠款产生争议", "因担保责任承担发生矛盾"],
        ["因物业费收取标准引发业主不满", "因供暖不达标与物业发生纠纷", "因小区停车管理产生矛盾"],
        ["因诊疗结果对医院不满产生纠纷", "因医疗费用赔偿存在分歧"],
        ["因交通事故赔偿发生争议", "因车辆剐蹭责任认定产生分歧"],
        ["因购买商品质量问题产生纠纷", "因预付卡退费发生消费争议"],
        ["因养殖场异味扰民引发矛盾", "因企业排污影响耕地产生纠纷"],
        ["因琐事发生口角", "因财物归属产生争执"],
    ];

    public static string Open(Random rng, DisputeCategory category, int peopleInvolved)
    {
        var text = rng.Pick(Opening[(int)category]);
        return peopleInvolved >= 30 ? $"{text}，涉及{peopleInvolved}人" : text;
    }

    public const string Mediating = "已组织双方调解，正在协商";
    public const string MediatingAgain = "再次组织调解，双方仍有分歧";
    public const string Resolved = "经调解双方达成一致，签订调解协议";
    public const string ResolvedOnSpot = "现场调解，双方当场和解";
    public const string Failed = "调解未成，双方分歧较大，继续跟踪";
    public const string Referred = "调解不成，已转交相关部门依法处理";
    public const string ReferredToCourt = "已引导当事人申请法院诉前调解";
    public const string ResolvedAfterReferral = "经有关部门处理，纠纷已化解，回访当事人无异议";
    public const string ReferredAfterHarm = "矛盾激化发生冲突，已移交公安机关处理";

    public const string ThreatCall = "110接警：纠纷一方扬言报复，民警已出警劝解";
    public const string Complaint = "12345热线来电反映纠纷长期未解决";
    public const string PetitionVisit = "当事人到信访部门反映诉求";
    public const string CourtResultAgreed = "法院诉前调解成功，双方达成协议";
    public const string CourtResultFailed = "法院诉前调解未达成协议，已告知诉讼途径";
    public const string MediationCenterResult = "调解委员会出具调解协议书";
    public const string CheckIn = "社区矫正对象按时报到";
    public const string CheckInMissed = "社区矫正对象未按规定报到，已电话联系";

    public static string Harm(IncidentType kind) => kind switch
    {
        IncidentType.Violence => "110接警：纠纷双方发生肢体冲突",
        IncidentType.Injury => "纠纷引发冲突致一方受伤送医",
        IncidentType.CriminalCase => "纠纷激化引发刑事案件，公安机关已立案",
        IncidentType.SelfHarm => "纠纷当事人出现自伤行为，已送医救治",
        _ => "纠纷引发事件",
    };

    public static readonly (IncidentSource Source, IncidentType Type, string Summary)[] Unlinked =
    [
        (IncidentSource.Police110, IncidentType.Other, "110接警：因琐事发生口角，民警现场劝解"),
        (IncidentSource.Police110, IncidentType.Other, "110接警：邻里因停车发生争吵"),
        (IncidentSource.Hotline12345, IncidentType.Complaint, "12345热线反映小区噪音扰民"),
        (IncidentSource.Hotline12345, IncidentType.Complaint, "12345热线反映道路积水"),
        (IncidentSource.Hotline12345, IncidentType.Other, "12345热线咨询劳动报酬政策"),
    ];
}
