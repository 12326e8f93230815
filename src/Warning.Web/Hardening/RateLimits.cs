using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Warning.Web.Accounts;

namespace Warning.Web.Hardening;

/// <summary>
/// Token buckets per API key, per signed-in user and per anonymous address (Auth:RateLimits). Over the limit: 429
/// problem+json with Retry-After. /healthz is never limited: a probe must not be refused by a flood it is meant to see.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddWarningRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (http.Request.Path.StartsWithSegments("/healthz")) return RateLimitPartition.GetNoLimiter("healthz");
                if (http.User.FindFirst(WarningClaims.ApiKeyId)?.Value is { } key)
                    return Bucket("key:" + key, limits.ApiKeyPerSecond, limits.ApiKeyBurst);
                if (http.User.Identity is { IsAuthenticated: true, Name: { } name })
                    return Bucket("user:" + name, limits.UserPerSecond, limits.UserBurst);
                return Bucket("ip:" + http.Connection.RemoteIpAddress, limits.AnonymousPerSecond, limits.AnonymousBurst);
            });
            o.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Field(StatusCodes.Status429TooManyRequests, "Too many requests", "$", "rateLimit",
                    $"this caller's request rate is over its limit; retry after {seconds} s").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            // Refilled ten times a second so a steady feed at its rate never waits for a whole second's tokens at once.
            TokensPerPeriod = Math.Max(1, perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
