using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace SafeMigrations.Internal;

/// <summary>
/// Identifier quoting and name building for the SQL the runtime steps emit. Kept here rather than shared with the
/// engine: the runtime library ships in the user's app and depends on nothing but EF Core.
/// </summary>
internal static class PostgresText
{
    /// <summary>PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server.</summary>
    public const int MaxIdentifierBytes = 63;

    private const int HashHexLength = 8;

    /// <summary>Wraps a name in double quotes, doubling embedded ones, so case and odd characters survive.</summary>
    public static string Quote(string name)
    {
        if (name.IndexOf('\0') >= 0)
        {
            throw new ArgumentException($"The identifier '{name.Replace("\0", "\\0")}' contains a NUL character, which PostgreSQL cannot store.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"") + "\"";
    }

    /// <summary><c>"schema"."name"</c>, or <c>"name"</c> (resolved through the search_path) when there is no schema.</summary>
    public static string Qualify(string? schema, string name)
        => string.IsNullOrEmpty(schema) ? Quote(name) : Quote(schema!) + "." + Quote(name);

    /// <summary>A SQL string literal (standard_conforming_strings, PostgreSQL's default since 9.1).</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    /// <summary>A comma-separated list of quoted names.</summary>
    public static string QuoteList(IEnumerable<string> names) => string.Join(", ", names.Select(Quote));

    /// <summary>
    /// A generated name that fits in 63 bytes. Longer names keep a prefix and get an 8-hex-digit hash of the full name,
    /// so the result is deterministic (Down and the contract phase compute the same name) and two long names that
    /// share a prefix still differ — the server's own truncation would make them collide.
    /// </summary>
    public static string FitIdentifier(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxIdentifierBytes)
        {
            return name;
        }

        string hash = Hash(name);
        int budget = MaxIdentifierBytes - 1 - HashHexLength;
        var prefix = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.Length; i++)
        {
            // Never split a surrogate pair: the prefix must stay valid UTF-8.
            int length = char.IsHighSurrogate(name[i]) && i + 1 < name.Length ? 2 : 1;
            int charBytes = Encoding.UTF8.GetByteCount(name.ToCharArray(i, length));
            if (bytes + charBytes > budget)
            {
                break;
            }

            prefix.Append(name, i, length);
            bytes += charBytes;
            i += length - 1;
        }

        return prefix + "_" + hash;
    }

    private static string Hash(string name)
    {
        using var sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
        var hex = new StringBuilder(HashHexLength);
        for (int i = 0; i < HashHexLength / 2; i++)
        {
            hex.Append(digest[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
