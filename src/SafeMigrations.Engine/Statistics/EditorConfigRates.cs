using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Engine.Statistics
{
    /// <summary>
    /// The estimate rates the analyzers use, read by the engine from the same <c>.editorconfig</c> keys so that plan and
    /// verify estimate as the compiler did. The snapshot lives in the project directory, so the files read are those
    /// that apply to a C# file of the project's <c>Migrations</c> folder next to it: from that folder up to the file
    /// with <c>root = true</c>, closer files and later sections winning, as the editorconfig rules say.
    /// Sections naming other files (<c>[Tests/*.cs]</c>) do not apply; <c>.globalconfig</c> files are not read.
    /// </summary>
    internal static class EditorConfigRates
    {
        /// <summary>The analyzers' key (<see cref="EstimateRates.ScanRateKey"/>).</summary>
        public const string ScanRateKey = EstimateRates.ScanRateKey;

        /// <summary>The analyzers' key (<see cref="EstimateRates.WriteRateKey"/>).</summary>
        public const string WriteRateKey = EstimateRates.WriteRateKey;

        /// <summary>The rates for the project that holds <paramref name="snapshotPath"/>; a missing or bad value keeps its default.</summary>
        public static EstimateRates Read(string snapshotPath)
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(snapshotPath))!;
            string migrationFile = Path.Combine(directory, "Migrations", "Migration.cs");
            IReadOnlyDictionary<string, string> keys = KeysFor(migrationFile);
            return EstimateRates.Read(key => keys.TryGetValue(key, out string? text) ? text : null);
        }

        /// <summary>Every key the .editorconfig files give <paramref name="file"/>.</summary>
        internal static IReadOnlyDictionary<string, string> KeysFor(string file)
        {
            var files = new List<string>();
            for (DirectoryInfo? directory = new FileInfo(file).Directory; directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, ".editorconfig");
                if (!File.Exists(candidate))
                    continue;
                files.Add(candidate);
                if (IsRoot(candidate))
                    break;
            }

            var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            // The farthest file first, so closer ones override it.
            for (int i = files.Count - 1; i >= 0; i--)
                Apply(files[i], file, keys);
            return keys;
        }

        private static bool IsRoot(string editorConfig)
        {
            foreach (string raw in ReadLines(editorConfig))
            {
                string line = raw.Trim();
                if (line.StartsWith("[", StringComparison.Ordinal))
                    return false;
                if (KeyValue(line) is (string key, string value) && key == "root")
                    return string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
            }
            return false;
        }

        private static void Apply(string editorConfig, string file, Dictionary<string, string> keys)
        {
            string relative = Path.GetRelativePath(Path.GetDirectoryName(editorConfig)!, file).Replace('\\', '/');
            bool applies = false;
            foreach (string raw in ReadLines(editorConfig))
            {
                string line = raw.Trim();
                if (line.StartsWith("[", StringComparison.Ordinal) && line.EndsWith("]", StringComparison.Ordinal))
                    applies = Matches(line.Substring(1, line.Length - 2), relative);
                else if (applies && KeyValue(line) is (string key, string value))
                    keys[key] = value;
            }
        }

        private static IEnumerable<string> ReadLines(string path)
        {
            try
            {
                return File.ReadAllLines(path);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                return Array.Empty<string>(); // the analyzers would not see it either
            }
        }

        private static (string Key, string Value)? KeyValue(string line)
        {
            if (line.Length == 0 || line[0] == '#' || line[0] == ';')
                return null;
            int equals = line.IndexOf('=');
            return equals <= 0 ? null : (line.Substring(0, equals).Trim().ToLowerInvariant(), line.Substring(equals + 1).Trim());
        }

        /// <summary>
        /// An editorconfig section glob against a path relative to its file: <c>*</c>, <c>**</c>, <c>?</c>,
        /// <c>[...]</c>, <c>{a,b}</c>; a glob without <c>/</c> matches the file name in any folder.
        /// </summary>
        internal static bool Matches(string glob, string relativePath)
        {
            string pattern = glob.Contains('/') ? glob.TrimStart('/') : "**/" + glob;
            var regex = new StringBuilder("^");
            int braces = 0;
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                switch (c)
                {
                    case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                        i++;
                        // "**/" also matches no folder at all.
                        if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                        {
                            i++;
                            regex.Append("(?:.*/)?");
                        }
                        else
                        {
                            regex.Append(".*");
                        }
                        break;
                    case '*':
                        regex.Append("[^/]*");
                        break;
                    case '?':
                        regex.Append("[^/]");
                        break;
                    case '[':
                        int close = pattern.IndexOf(']', i + 1);
                        if (close < 0)
                        {
                            regex.Append(@"\[");
                            break;
                        }
                        string set = pattern.Substring(i + 1, close - i - 1);
                        regex.Append('[').Append(set.StartsWith("!", StringComparison.Ordinal) ? "^" + Regex.Escape(set.Substring(1)) : Regex.Escape(set)).Append(']');
                        i = close;
                        break;
                    case '{':
                        braces++;
                        regex.Append("(?:");
                        break;
                    case '}' when braces > 0:
                        braces--;
                        regex.Append(')');
                        break;
                    case ',' when braces > 0:
                        regex.Append('|');
                        break;
                    case '\\' when i + 1 < pattern.Length:
                        regex.Append(Regex.Escape(pattern[++i].ToString()));
                        break;
                    default:
                        regex.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }
            if (braces > 0)
                return false; // an unclosed brace: the section matches no file
            return Regex.IsMatch(relativePath, regex.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
    }
}
