using Microsoft.AspNetCore.Diagnostics;

namespace Warning.Web.Errors;

/// <summary>
/// Kestrel's complaints about a request that reach the app as exceptions (a body that stalls below the minimum data
/// rate, a body over the limit, a broken chunked encoding) are the client's fault: answer with their own 4xx as
/// problem+json instead of letting them become a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted) return false;
        logger.LogInformation("Bad request {Method} {Path}: {Status} {Reason}", http.Request.Method, http.Request.Path, bad.StatusCode, bad.Message);
        http.Response.StatusCode = bad.StatusCode;
        var (field, rule) = bad.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout => ("$", "bodyTimeout"),
            StatusCodes.Status413PayloadTooLarge => ("$", "maxBytes"),
            _ => ("$", "request"),
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status408RequestTimeout ? "Request body timed out" : "Bad request",
                Detail = bad.StatusCode == StatusCodes.Status408RequestTimeout
                    ? "$: the request body arrived too slowly and was abandoned; nothing of it was accepted"
                    : $"$: {bad.Message}",
                Extensions = { ["errors"] = new[] { new Ingest.IngestError(field, rule, bad.Message) } },
            },
            Exception = exception,
        });
    }
}
