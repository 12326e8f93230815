using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Warning.Web.Accounts;
using Warning.Web.Audit;

namespace Warning.Web.Tests.Security;

public sealed class AuditChainTests(SecureApp app) : IClassFixture<SecureApp>
{
    [Fact]
    public async Task A_person_read_is_audited_with_its_reason_and_an_edited_row_breaks_the_chain_there()
    {
        var auditor = await app.SignInAsync(await app.CreateAccountAsync(Roles.Auditor, app.Hierarchy.Roots[0].Id));
        var commander = await app.SignInAsync(await app.CreateAccountAsync(Roles.Commander, app.Hierarchy.Roots[0].Id));

        // A read without a reason is refused before anything is read or written.
        using (var noReason = await app.SendAsync(HttpMethod.Post, "/api/v1/persons/p-1/read", commander, body: new JsonObject()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["field"]!.GetValue<string>());
        }
        using (var read = await app.SendAsync(HttpMethod.Post, "/api/v1/persons/p-unknown/read", commander, body: new JsonObject { ["reason"] = "case 17 mediation plan" }))
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);

        var entries = (await (await app.SendAsync(HttpMethod.Get, "/api/v1/audit?limit=1000", auditor)).Content.ReadFromJsonAsync<JsonArray>())!;
        var personRead = entries.Single(e => e!["action"]!.GetValue<string>() == "person.read");
        Assert.Equal("case 17 mediation plan", personRead!["reason"]!.GetValue<string>());
        Assert.Equal("person:p-unknown", personRead["target"]!.GetValue<string>());
        Assert.True(await VerifyAsync(auditor) is { Intact: true, FirstBrokenSeq: null });

        // Someone with the database file rewrites the reason of that entry: the chain breaks exactly there.
        var seq = personRead["seq"]!.GetValue<long>();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(app.Factory.DataDirectory, "accounts.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_log SET Reason = 'routine' WHERE Seq = $seq";
            command.Parameters.AddWithValue("$seq", seq);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        var broken = await VerifyAsync(auditor);
        Assert.False(broken.Intact);
        Assert.Equal(seq, broken.FirstBrokenSeq);
    }

    private async Task<AuditVerification> VerifyAsync(string cookie) =>
        (await (await app.SendAsync(HttpMethod.Get, "/api/v1/audit/verify", cookie)).Content.ReadFromJsonAsync<AuditVerification>())!;
}

/// <summary>A store of its own: the test above breaks its chain on purpose.</summary>
public sealed class AuditChainDeleteTests(SecureApp app) : IClassFixture<SecureApp>
{
    [Fact]
    public async Task A_deleted_row_breaks_the_chain_too()
    {
        var log = app.Factory.Services.GetRequiredService<AuditLog>();
        var first = await log.AppendAsync("test", "probe", "x:1");
        await log.AppendAsync("test", "probe", "x:2");
        Assert.True((await log.VerifyAsync()).Intact);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(app.Factory.DataDirectory, "accounts.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM audit_log WHERE Seq = $seq";
            command.Parameters.AddWithValue("$seq", first.Seq);
            await command.ExecuteNonQueryAsync();
        }
        var result = await log.VerifyAsync();
        Assert.False(result.Intact);
        Assert.Equal(first.Seq, result.FirstBrokenSeq);
    }
}
