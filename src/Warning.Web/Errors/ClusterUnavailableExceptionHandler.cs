using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;

namespace Warning.Web.Errors;

/// <summary>
/// A grain call that fails because its silo just died (cluster mode, until membership moves the grain) or timed out is
/// the service being briefly unavailable, not a fault in the request: 503 with Retry-After, as problem+json, so a client
/// retries instead of seeing a 500. Reads only; intake answers from the log and never waits on a grain.
/// </summary>
public sealed class ClusterUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<ClusterUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception) || http.Response.HasStarted) return false;
        logger.LogWarning("Grain unavailable for {Method} {Path}: {Reason}", http.Request.Method, http.Request.Path, exception.Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "2";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable, Title = "Briefly unavailable",
                Detail = "The node holding this data is moving to another; retry in a few seconds.",
            },
            Exception = exception,
        });
    }

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsUnavailable(a.InnerException!),
        _ => false,
    };
}
