using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Warning.Web.Accounts;

namespace Warning.Web.Jobs;

/// <summary>
/// Who may open <c>/jobs</c>: the <see cref="Policies.Operator"/> policy, as for <c>/orleans</c> (the operator role, or
/// loopback while Auth:LoopbackIsOperator). The endpoint itself requires the policy, so a caller who is signed out gets
/// 401 and one in another role 403 before Hangfire runs; this filter asks the same policy again so Hangfire never
/// serves a page on its own judgement (its default admits local requests only, and a remote address equal to the
/// local one).
/// </summary>
internal sealed class JobsDashboardAccess : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, http, Policies.Operator)).Succeeded;
    }
}
