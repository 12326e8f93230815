namespace Warning.Web.Tests.Support;

public static class TestSettings
{
    /// <summary>Rate limits no test reaches by accident (the rate-limit tests set low ones of their own).</summary>
    public static readonly (string Key, string Value)[] UnlimitedRates =
    [
        ("Auth:RateLimits:ApiKeyPerSecond", "1000000"), ("Auth:RateLimits:ApiKeyBurst", "1000000"),
        ("Auth:RateLimits:UserPerSecond", "1000000"), ("Auth:RateLimits:UserBurst", "1000000"),
        ("Auth:RateLimits:AnonymousPerSecond", "1000000"), ("Auth:RateLimits:AnonymousBurst", "1000000"),
    ];
}
