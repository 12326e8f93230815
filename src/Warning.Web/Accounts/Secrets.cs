using System.Security.Cryptography;
using System.Text;

namespace Warning.Web.Accounts;

/// <summary>Random secrets and their stored hashes.</summary>
public static class Secrets
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A key or token: a prefix naming what it is, then 256 random bits in base64url.</summary>
    public static string NewKey(string prefix) => prefix + "_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId(string prefix) => prefix + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A one-time password of 20 characters (~115 bits) that meets every Identity password rule.</summary>
    public static string NewPassword()
    {
        var chars = Enumerable.Range(0, 17).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]).ToList();
        chars.Add((char)('A' + RandomNumberGenerator.GetInt32(26)));
        chars.Add((char)('a' + RandomNumberGenerator.GetInt32(26)));
        chars.Add((char)('2' + RandomNumberGenerator.GetInt32(8)));
        return new string(chars.ToArray());
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
