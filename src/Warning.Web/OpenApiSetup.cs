using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Warning.Web.Accounts;

namespace Warning.Web;

/// <summary>
/// /openapi/v1.json generated from the endpoints (the same metadata the policy matrix test walks) and the Scalar
/// reference page at /scalar for integrators building feeds. Each operation names its policy and security schemes.
/// </summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddWarningOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = "Warning", Version = "v1", Description = "Early warning for grassroots dispute prevention. Contracts: CONTRACTS.md." };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.Header,
                Description = "A feed's key (POST /api/v1/apikeys, shown once), scoped to ingest kinds and optionally a region.",
            };
            document.Components.SecuritySchemes["session"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = AuthSetup.SessionCookie,
                Description = "A person's session (POST /api/v1/auth/login); state-changing calls also carry X-XSRF-TOKEN.",
            };
            return Task.CompletedTask;
        });
        // Ingest bodies: the rules the readers apply, recorded from the readers themselves (Ingest/FieldSchema.cs).
        o.AddSchemaTransformer((schema, context, _) =>
        {
            if (schema is not OpenApiSchema body || !Ingest.FieldSchema.IngestTypes.Contains(context.JsonTypeInfo.Type)) return Task.CompletedTask;
            var services = context.ApplicationServices;
            var schemas = Ingest.FieldSchema.ForIngest(services.GetRequiredService<Warning.Analytics.Hierarchy.AreaHierarchy>(), services.GetRequiredService<Warning.Silo.Ingest.KnownIds>());
            schemas[context.JsonTypeInfo.Type].Apply(body);
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any()) return Task.CompletedTask;
            var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToArray();
            var scheme = policies.Any(p => p.StartsWith("ingest:", StringComparison.Ordinal)) ? "apiKey" : "session";
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
            var roles = policies.SelectMany(p => Policies.RolesOf.GetValueOrDefault(p) ?? [p]).Distinct();
            operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Policy: {string.Join(", ", policies)} ({string.Join(", ", roles)}).";
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Not signed in / no valid API key (problem+json)" });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "Signed in, but the role does not allow it (problem+json)" });
            var route = context.Description.RelativePath ?? "";
            if (operation.RequestBody is not null || context.Description.ParameterDescriptions.Any(p => p.Source.Id == "Query"))
                operation.Responses.TryAdd("400", new OpenApiResponse { Description = "Bad input: problem+json whose errors name each field and the rule it broke" });
            if (operation.RequestBody is not null)
                operation.Responses.TryAdd("413", new OpenApiResponse { Description = "Body over this endpoint's size limit (problem+json)" });
            if (route.Contains('{') || context.Description.ParameterDescriptions.Any(p => p.Name == "regionId"))
                operation.Responses.TryAdd("404", new OpenApiResponse { Description = "Unknown, or outside the caller's region (the two are not told apart)" });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the caller's rate limit; Retry-After says when to retry (problem+json)" });
            return Task.CompletedTask;
        });
    });

    public static WebApplication MapWarningOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/scalar", o => o.WithTitle("Warning API")).AllowAnonymous();
        return app;
    }
}
