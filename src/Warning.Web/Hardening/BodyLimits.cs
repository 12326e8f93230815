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

    /// <summary>
    /// After routing: sets Kestrel's limit for this request from the endpoint's metadata (over it: 413 problem+json).
    /// A body that declares a length over the limit is refused before anything reads it, naming the rule, and the
    /// connection is closed with the answer: the unread rest cannot be drained, and a client told nothing would send
    /// its next request on a connection the server is about to drop (the fuzz test's lost keep-alive request).
    /// </summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false } feature) return next(http);
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Bytes ?? DefaultBytes;
        feature.MaxRequestBodySize = limit;
        if (http.Request.ContentLength is not { } length || length <= limit) return next(http);
        http.Response.Headers.Connection = "close";
        return Problems.Field(StatusCodes.Status413PayloadTooLarge, "Body too large", "$", "maxBytes",
            $"this endpoint takes a body of at most {limit:N0} bytes; this one declares {length:N0}").ExecuteAsync(http);
    });
}
