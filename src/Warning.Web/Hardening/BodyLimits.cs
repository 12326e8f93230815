using Microsoft.AspNetCore.Http.Features;

namespace Warning.Web.Hardening;

/// <summary>The largest request body an endpoint takes; endpoints without one take <see cref="BodyLimits.DefaultBytes"/>.</summary>
public sealed record BodyLimit(long Bytes);

public static class BodyLimits
{
    /// <summary>Commands, sign-in, user and key creation: a few hundred bytes each; 64 KiB leaves room and stops floods.</summary>
    public const long DefaultBytes = 64 * 1024;

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>After routing: sets Kestrel's limit for this request from the endpoint's metadata (over it: 413 problem+json).</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Bytes ?? DefaultBytes;
        return next(http);
    });
}
