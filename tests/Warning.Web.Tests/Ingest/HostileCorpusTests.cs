using System.Text;
using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

/// <summary>Three hundred hostile bodies: none may get a 5xx, and the store keeps working after them.</summary>
public sealed class HostileCorpusTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    private static readonly string[] Nasty =
    [
        "'; DROP TABLE ingest_log; --", "\" OR 1=1 --", "Robert'); DELETE FROM grain_state;--", "\0", "\u0001\u0002\u001f", "\u202e\u202d",
        "🔥💣🧨", "宅基地纠纷👨‍👩‍👧", "\\u0000", "../../etc/passwd", "<script>alert(1)</script>", "%00%0a", "\ud83d", "NaN", "Infinity",
        "-0", "1e309", "null", "true", "{}", "[]", new string('字', 5000), new string('a', 100_000), "\t\n\r", "﻿", "𠀀𪚥", "select * from ingest_log",
    ];

    public static IEnumerable<object[]> Corpus()
    {
        var random = new Random(20261122);
        var grid = "GRID";
        var bodies = new List<string>();
        // Malformed JSON.
        bodies.AddRange(["", "{", "}", "[", "[{]", "{\"reportId\":}", "{'reportId':'x'}", "[1,2,", "nul", "{\"a\":1}{\"b\":2}",
            "\"just a string\"", "123", "true", "null", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "{\"reportId\": \"a\", \"reportId\": \"b\"}", "\u00ef\u00bb\u00bf{}", "{\"x\": 1e99999}", "{\"partiesCount\": 99999999999999999999999999}"]);
        string[] fields = ["reportId", "gridId", "reportedAt", "reporterId", "caseId", "category", "status", "partiesCount", "peopleInvolved",
            "amountInDispute", "mediationAttempts", "flags", "personIds", "summary"];
        while (bodies.Count < 300)
        {
            var item = new JsonObject
            {
                ["reportId"] = $"h-{bodies.Count}",
                ["gridId"] = grid,
                ["reportedAt"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
                ["reporterId"] = "w-1",
                ["category"] = "neighbor",
                ["status"] = "screened",
                ["partiesCount"] = 2,
                ["peopleInvolved"] = 2,
                ["mediationAttempts"] = 0,
            };
            for (var k = 0; k < 1 + random.Next(3); k++)
            {
                var field = fields[random.Next(fields.Length)];
                item[field] = random.Next(6) switch
                {
                    0 => Nasty[random.Next(Nasty.Length)],
                    1 => random.NextDouble() * Math.Pow(10, random.Next(-5, 40)) * (random.Next(2) == 0 ? -1 : 1),
                    2 => new JsonArray(Nasty[random.Next(Nasty.Length)], random.Next()),
                    3 => new JsonObject { ["nested"] = Nasty[random.Next(Nasty.Length)] },
                    4 => (JsonNode?)null,
                    _ => long.MaxValue,
                };
            }
            bodies.Add(random.Next(4) == 0 ? new JsonArray(item, item.DeepClone()).ToJsonString() : item.ToJsonString());
        }
        return bodies.Select((b, i) => new object[] { i, b });
    }

    [Fact]
    public async Task No_hostile_body_gets_a_server_error_and_valid_reports_still_land()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[0];
        var failures = new List<string>();
        foreach (var row in Corpus())
        {
            var body = ((string)row[1]).Replace("\"GRID\"", $"\"{grid}\"");
            var bytes = Encoding.UTF8.GetBytes(body);
            foreach (var path in new[] { "/api/v1/reports", "/api/v1/incidents", "/api/v1/persons" })
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = new("application/json");
                var (status, responseBody, contentType) = await Reports.SendAsync(client, path, content);
                if (status >= 500) failures.Add($"{path} #{row[0]}: {status} {responseBody}");
                else if (status >= 400 && contentType != "application/problem+json") failures.Add($"{path} #{row[0]}: {status} as {contentType}");
                else if (status >= 400 && responseBody?["errors"]?[0]?["field"] is null) failures.Add($"{path} #{row[0]}: {status} names no field");
            }
        }
        Assert.Empty(failures);

        // Invalid UTF-8 bytes.
        var invalid = new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
        invalid.Headers.ContentType = new("application/json");
        Assert.InRange((await Reports.SendAsync(client, "/api/v1/reports", invalid)).Status, 400, 499);

        var valid = Reports.Valid(grid);
        var (okStatus, okBody, _) = await Reports.PostAsync(client, "/api/v1/reports", valid);
        Assert.Equal(202, okStatus);
        await app.SettleAsync();
        var caseView = await Reports.GetAsync(client, $"/api/v1/cases/{okBody!["items"]![0]!["caseId"]}");
        Assert.Equal((string)valid["reportId"]!, (string?)caseView["history"]![0]!["reportId"]);
    }
}
