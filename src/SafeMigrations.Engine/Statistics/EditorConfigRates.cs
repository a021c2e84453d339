using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Engine.Statistics
{
    /// <summary>
    /// The estimate rates the analyzers use, read by the engine from the same configuration files so that plan and
    /// verify estimate as the compiler did. The snapshot lives in the project directory, so the files read are those
    /// that apply to a C# file of the project's <c>Migrations</c> folder next to it, the way Roslyn's AnalyzerConfigSet
    /// merges what MSBuild hands it: the <c>.editorconfig</c> files from that folder up to the one with
    /// <c>root = true</c>, closer files and later sections winning; under them the global configs — every
    /// <c>.globalconfig</c> (and <c>.editorconfig</c> with <c>is_global</c>) in a directory above a C# file of the
    /// project — whose section-less keys apply to every file: a higher <c>global_level</c> wins (100 for a file named
    /// <c>.globalconfig</c>, 0 for others unless set), two files at the same level setting a key leave it unset, and any
    /// editorconfig section that sets the key wins over them all. Sections naming other files (<c>[Tests/*.cs]</c>, a
    /// global config's file-path sections) do not apply. Other <c>*.globalconfig</c> files reach the compiler only as
    /// MSBuild <c>GlobalAnalyzerConfigFiles</c> items, which the engine does not see.
    /// </summary>
    internal static class EditorConfigRates
    {
        // Roslyn's editorconfig line forms: "[section] # comment" and "key = value ; comment" (or "key: value").
        private static readonly Regex Section = new Regex(@"^\s*\[((?:[^#;]|\\#|\\;)+)\]\s*(?:[#;].*)?$", RegexOptions.CultureInvariant);
        private static readonly Regex Property = new Regex(@"^\s*([\w\.\-_]+)\s*[=:]\s*(.*?)\s*(?:[#;].*)?$", RegexOptions.CultureInvariant);

        /// <summary>The analyzers' key (<see cref="EstimateRates.ScanRateKey"/>).</summary>
        public const string ScanRateKey = EstimateRates.ScanRateKey;

        /// <summary>The analyzers' key (<see cref="EstimateRates.WriteRateKey"/>).</summary>
        public const string WriteRateKey = EstimateRates.WriteRateKey;

        /// <summary>The rates for the project that holds <paramref name="snapshotPath"/>; a missing or bad value keeps its default.</summary>
        public static EstimateRates Read(string snapshotPath)
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(snapshotPath))!;
            string migrationFile = Path.Combine(directory, "Migrations", "Migration.cs");
            IReadOnlyDictionary<string, string> keys = KeysFor(migrationFile, directory);
            return EstimateRates.Read(key => keys.TryGetValue(key, out string? text) ? text : null);
        }

        /// <summary>
        /// Every key the configuration files give <paramref name="file"/>; <paramref name="projectDirectory"/> (when it
        /// holds a project file) is searched for the global configs its other C# files bring in.
        /// </summary>
        internal static IReadOnlyDictionary<string, string> KeysFor(string file, string? projectDirectory = null)
        {
            var files = new List<string>();
            for (DirectoryInfo? directory = new FileInfo(file).Directory; directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, ".editorconfig");
                if (!File.Exists(candidate) || IsGlobal(candidate))
                    continue;
                files.Add(candidate);
                if (IsRoot(candidate))
                    break;
            }

            var keys = GlobalKeys(GlobalConfigs(file, projectDirectory));
            // The farthest file first, so closer ones override it.
            for (int i = files.Count - 1; i >= 0; i--)
                Apply(files[i], file, keys);
            return keys;
        }

        /// <summary>
        /// The global configs MSBuild finds for the project: a <c>.globalconfig</c>, or an <c>.editorconfig</c> with
        /// <c>is_global</c>, in any directory above a C# file it compiles (the file's own folder and up to the drive's
        /// root, and with a project file in <paramref name="projectDirectory"/> every folder of the project holding C#
        /// files, bin, obj and dot folders excluded as the SDK's default items exclude them).
        /// </summary>
        private static IEnumerable<string> GlobalConfigs(string file, string? projectDirectory)
        {
            var directories = new HashSet<string>(StringComparer.Ordinal);
            for (DirectoryInfo? directory = new FileInfo(file).Directory; directory is not null; directory = directory.Parent)
                directories.Add(directory.FullName);
            if (projectDirectory is not null && Directory.Exists(projectDirectory) && Directory.EnumerateFiles(projectDirectory, "*.csproj").Any())
                FoldersWithCSharp(new DirectoryInfo(projectDirectory), directories);
            foreach (string directory in directories.OrderBy(d => d.Length).ThenBy(d => d, StringComparer.Ordinal))
            {
                string globalConfig = Path.Combine(directory, ".globalconfig");
                if (File.Exists(globalConfig))
                    yield return globalConfig;
                string editorConfig = Path.Combine(directory, ".editorconfig");
                if (File.Exists(editorConfig) && IsGlobal(editorConfig))
                    yield return editorConfig;
            }
        }

        /// <summary>Adds <paramref name="directory"/> and its folders that hold a C# file, in them or below; true when it holds one.</summary>
        private static bool FoldersWithCSharp(DirectoryInfo directory, HashSet<string> found)
        {
            bool holds;
            try
            {
                holds = directory.EnumerateFiles("*.cs").Any();
                foreach (DirectoryInfo child in directory.EnumerateDirectories())
                {
                    string name = child.Name;
                    if (name.StartsWith(".", StringComparison.Ordinal) || name.Equals("bin", StringComparison.OrdinalIgnoreCase) || name.Equals("obj", StringComparison.OrdinalIgnoreCase))
                        continue;
                    holds |= FoldersWithCSharp(child, found);
                }
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException || exception is System.Security.SecurityException)
            {
                return false; // unreadable: MSBuild would find no C# file there either
            }
            if (holds)
                found.Add(directory.FullName);
            return holds;
        }

        /// <summary>
        /// The section-less keys of the global configs merged as Roslyn merges them: the highest global_level wins, and
        /// a key set by two files at that level is unset (the compiler warns about it).
        /// </summary>
        private static Dictionary<string, string> GlobalKeys(IEnumerable<string> globalConfigs)
        {
            var best = new Dictionary<string, (string Value, int Level, bool Conflict)>(StringComparer.OrdinalIgnoreCase);
            foreach (string path in globalConfigs)
            {
                Dictionary<string, string> preamble = Preamble(path);
                int level = preamble.TryGetValue("global_level", out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int set) ? set
                    : Path.GetFileName(path).Equals(".globalconfig", StringComparison.OrdinalIgnoreCase) ? 100
                    : 0;
                foreach (var (key, value) in preamble)
                {
                    if (key == "is_global" || key == "global_level")
                        continue;
                    if (!best.TryGetValue(key, out var known) || known.Level < level)
                        best[key] = (value, level, false);
                    else if (known.Level == level)
                        best[key] = (known.Value, level, true);
                }
            }
            return best.Where(entry => !entry.Value.Conflict).ToDictionary(entry => entry.Key, entry => entry.Value.Value, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>The keys before the first section, the last of each winning.</summary>
        private static Dictionary<string, string> Preamble(string path)
        {
            var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in ReadLines(path))
            {
                if (Section.IsMatch(line))
                    break;
                if (KeyValue(line) is (string key, string value))
                    keys[key] = value;
            }
            return keys;
        }

        /// <summary>Roslyn's test: an <c>is_global</c> key before the first section, whatever its value.</summary>
        private static bool IsGlobal(string path) => Preamble(path).ContainsKey("is_global");

        private static bool IsRoot(string editorConfig)
            => Preamble(editorConfig).TryGetValue("root", out string? value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

        private static void Apply(string editorConfig, string file, Dictionary<string, string> keys)
        {
            string relative = Path.GetRelativePath(Path.GetDirectoryName(editorConfig)!, file).Replace('\\', '/');
            bool applies = false;
            foreach (string line in ReadLines(editorConfig))
            {
                Match section = Section.Match(line);
                if (section.Success)
                    applies = Matches(section.Groups[1].Value, relative);
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
            string trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';')
                return null;
            Match property = Property.Match(line);
            return property.Success ? (property.Groups[1].Value.ToLowerInvariant(), property.Groups[2].Value) : null;
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
