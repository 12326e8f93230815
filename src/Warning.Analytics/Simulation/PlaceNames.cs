namespace Warning.Analytics.Simulation;

/// <summary>
/// Syllable pools for plausible Gansu place names. Names only need to look right on a screen and be unique among
/// siblings; they are not meant to match real places.
/// </summary>
internal static class PlaceNames
{
    private static readonly string[] Lead =
        ["东", "西", "南", "北", "新", "马", "李", "王", "杨", "石", "青", "红", "白", "黄", "金", "柳", "杏", "高", "中", "上",
         "下", "大", "小", "龙", "凤", "宁", "安", "和", "平", "碧", "榜", "义", "鲁", "香", "团", "峡", "清", "会", "三", "五"];

    private static readonly string[] Land =
        ["川", "峪", "坪", "岭", "河", "营", "滩", "沟", "岔", "堡", "寨", "店", "集", "湾", "原", "庄", "泉", "台", "罗", "峰"];

    private static readonly string[] Surnames =
        ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "罗", "郑",
         "梁", "谢", "宋", "唐", "韩", "冯", "董", "袁", "潘", "蒋", "魏", "苏", "吕", "丁", "任", "姚", "卢", "姜", "崔", "汪",
         "范", "石", "贾", "付", "白", "孟", "秦", "薛", "闫", "段", "雷", "侯", "史", "贺", "毛", "郝", "邵", "武", "包", "牛"];

    private static readonly string[] Hamlet = ["湾", "庄", "坪", "沟", "岔", "河", "山", "堡", "川", "岘", "台", "咀", "梁", "塬", "崖", "磨"];

    private static readonly string[] Neighbourhood =
        ["东关", "西关", "南关", "北关", "新华", "和平", "解放", "建设", "团结", "文化", "人民", "中山", "永安", "民主", "幸福",
         "友谊", "光明", "红旗", "胜利", "育才", "东街", "西街", "南街", "北街", "新城", "春园", "滨河", "站前", "花园", "北山"];

    private static readonly string[] StreetNames = ["中华路", "永定路", "福台路", "友谊路", "新城路", "交通路"];

    public static string Township(Random rng, bool isTown) => Pick(rng, Lead) + Pick(rng, Land) + (isTown ? "镇" : "乡");

    public static string Street(int index) => StreetNames[index % StreetNames.Length] + "街道";

    public static string Village(Random rng) =>
        rng.NextDouble() < 0.6 ? Pick(rng, Surnames) + "家" + Pick(rng, Hamlet) + "村" : Pick(rng, Lead) + Pick(rng, Land) + "村";

    public static string Community(Random rng) => Pick(rng, Neighbourhood) + "社区";

    public static string Grid(int number) => $"第{number}网格";

    /// <summary>Draws until the name is new among its siblings; after a few clashes appends a number (一村, 二村…).</summary>
    public static string Unique(HashSet<string> taken, Func<string> draw)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var name = draw();
            if (taken.Add(name)) return name;
        }
        for (var n = 2; ; n++)
        {
            var name = draw();
            var numbered = name[..^1] + n + name[^1..];
            if (taken.Add(numbered)) return numbered;
        }
    }

    private static string Pick(Random rng, string[] pool) => pool[rng.Next(pool.Length)];
}
