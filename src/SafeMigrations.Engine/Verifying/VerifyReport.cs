using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>Writes a verify run as markdown (every step with its SQL, locks, rewrites, scans) and as SARIF 2.1.0.</summary>
    public static class VerifyReport
    {
        /// <summary>The markdown report.</summary>
        public static string RenderMarkdown(VerifyResult result)
        {
            if (result is null)
                throw new ArgumentNullException(nameof(result));
            var text = new StringBuilder();
            text.AppendLine("# SafeMigrations verify");
            text.AppendLine();
            text.AppendLine($"- result: **{(result.Passed ? "passed" : $"failed ({result.Findings.Count} finding(s))")}**");
            text.AppendLine($"- server: {result.Server}");
            text.AppendLine($"- lock budget: {MigrationVerifier.Ms(result.LockBudget)} ms for SHARE and stronger locks (except SHARE UPDATE EXCLUSIVE) on tables that existed before the migration");
            text.AppendLine($"- duration: {result.Duration.TotalSeconds:0.0} s");
            text.AppendLine();
            if (result.Findings.Count > 0)
            {
                text.AppendLine("## Findings");
                text.AppendLine();
                foreach (VerifyFinding finding in result.Findings)
                    text.AppendLine($"- **{finding.Code}** {Escape(finding.Message)}");
                text.AppendLine();
            }

            foreach (string migration in result.Migrations)
            {
                text.AppendLine($"## {migration}");
                text.AppendLine();
                List<string> seeding = result.Seeding.Where(s => s.Key == migration).SelectMany(s => s.Value).ToList();
                if (seeding.Count > 0)
                {
                    text.AppendLine("Seeded before the migration: " + Escape(string.Join("; ", seeding)));
                    text.AppendLine();
                }
                var steps = result.Steps.Where(s => s.Step.MigrationId == migration).ToList();
                if (steps.Count == 0)
                {
                    text.AppendLine("No step ran.");
                    text.AppendLine();
                    continue;
                }
                text.AppendLine("| step | pass | locks held (relation, mode, ms) | rewrites | seq scans | verification | ms | verdict |");
                text.AppendLine("|---|---|---|---|---|---|---|---|");
                foreach (StepTrace trace in steps)
                {
                    string locks = trace.Locks.Count == 0 ? "none" : string.Join("<br>", trace.Locks.Select(l => $"{l.Relation} {l.Mode} {l.HeldMilliseconds:0}{(l.PreExisting ? string.Empty : " (new table)")}"));
                    string verified = trace.Verified switch { true => "passed", false => "FAILED", _ => "none" };
                    string verdict = trace.Error is not null && trace.Findings.Count == 0 ? "failed" : trace.Findings.Count == 0 ? "ok" : string.Join(", ", trace.Findings.Select(f => "**" + f.Code + "**"));
                    text.AppendLine($"| {trace.Step.Index} {Escape(trace.Step.Description)} | {trace.Round.ToString().ToLowerInvariant()} | {Escape(locks)} | {Escape(trace.Rewrites.Count == 0 ? "none" : string.Join(", ", trace.Rewrites))} | {Escape(trace.Scans.Count == 0 ? "none" : string.Join(", ", trace.Scans.Select(s => $"{s.Key} {s.Value}")))} | {verified} | {trace.Duration.TotalMilliseconds:0} | {verdict} |");
                }
                text.AppendLine();
                foreach (StepTrace trace in steps.Where(s => s.Round != VerifyRound.Reapply))
                {
                    text.AppendLine($"<details><summary>step {trace.Step.Index} SQL</summary>");
                    text.AppendLine();
                    text.AppendLine("```sql");
                    text.AppendLine(trace.Step.Sql.Trim());
                    text.AppendLine("```");
                    text.AppendLine("</details>");
                    text.AppendLine();
                }
            }

            if (result.ProductionImpact.Count > 0)
            {
                text.AppendLine("## Estimated production impact");
                text.AppendLine();
                text.AppendLine("From the statistics snapshot: table sizes as sampled, durations estimated from them (not measured here).");
                text.AppendLine();
                foreach (KeyValuePair<string, string> impact in result.ProductionImpact)
                    text.AppendLine($"- {Escape(impact.Key)}: {Escape(impact.Value)}");
                text.AppendLine();
            }
            if (result.SchemaDifferences is not null)
            {
                text.AppendLine("## Schema compared with plain EF Core Migrate()");
                text.AppendLine();
                if (result.SchemaDifferences.Count == 0)
                    text.AppendLine("Identical: tables, columns (types, nullability, defaults, identity), constraints (validated), indexes (valid), triggers, views, functions.");
                foreach (string difference in result.SchemaDifferences)
                    text.AppendLine("- " + Escape(difference));
                text.AppendLine();
            }
            if (result.Notes.Count > 0)
            {
                text.AppendLine("## Notes");
                text.AppendLine();
                foreach (string note in result.Notes)
                    text.AppendLine("- " + Escape(note));
            }
            return text.ToString();
        }

        /// <summary>Writes <see cref="RenderMarkdown"/> to <paramref name="path"/>.</summary>
        public static void WriteMarkdown(string path, VerifyResult result)
        {
            CreateDirectory(path);
            File.WriteAllText(path, RenderMarkdown(result));
        }

        /// <summary>
        /// SARIF 2.1.0: one result per finding (one per failing step and code), located at the migration's source file
        /// when it can be found next to the assembly's project, else at the assembly.
        /// </summary>
        public static string RenderSarif(VerifyResult result, string? assemblyPath)
        {
            if (result is null)
                throw new ArgumentNullException(nameof(result));
            var locator = new MigrationSourceLocator(assemblyPath);
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
                json.WriteString("version", "2.1.0");
                json.WriteStartArray("runs");
                json.WriteStartObject();
                json.WriteStartObject("tool");
                json.WriteStartObject("driver");
                json.WriteString("name", "SafeMigrations verify");
                json.WriteString("informationUri", "https://github.com/safemigrations/safemigrations");
                json.WriteString("version", typeof(VerifyReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
                json.WriteStartArray("rules");
                foreach (string code in result.Findings.Select(f => f.Code).Distinct().OrderBy(c => c, StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    json.WriteString("id", code);
                    json.WriteStartObject("shortDescription");
                    json.WriteString("text", RuleText(code));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();

                json.WriteStartArray("results");
                foreach (VerifyFinding finding in result.Findings)
                {
                    json.WriteStartObject();
                    json.WriteString("ruleId", finding.Code);
                    json.WriteString("level", "error");
                    json.WriteStartObject("message");
                    json.WriteString("text", finding.Message);
                    json.WriteEndObject();
                    (string uri, int? line) = locator.Locate(finding.MigrationId);
                    json.WriteStartArray("locations");
                    json.WriteStartObject();
                    json.WriteStartObject("physicalLocation");
                    json.WriteStartObject("artifactLocation");
                    json.WriteString("uri", uri);
                    json.WriteEndObject();
                    if (line is int startLine)
                    {
                        json.WriteStartObject("region");
                        json.WriteNumber("startLine", startLine);
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                    if (finding.Step is not null)
                    {
                        json.WriteStartArray("logicalLocations");
                        json.WriteStartObject();
                        json.WriteString("name", $"step {finding.Step.Index}");
                        json.WriteString("fullyQualifiedName", finding.Step.Name);
                        json.WriteEndObject();
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>Writes <see cref="RenderSarif"/> to <paramref name="path"/>.</summary>
        public static void WriteSarif(string path, VerifyResult result, string? assemblyPath)
        {
            CreateDirectory(path);
            File.WriteAllText(path, RenderSarif(result, assemblyPath));
        }

        private static string RuleText(string code) => code switch
        {
            EngineCodes.LockOverBudget => "A step holds a lock that blocks reads or writes on an existing table beyond the lock budget",
            EngineCodes.TableRewrite => "A step rewrites an existing table",
            EngineCodes.UnbatchedDataChange => "A step changes most rows of an existing table in one transaction",
            EngineCodes.SchemaDiffers => "The schema differs from the one plain EF Core builds from the same migrations",
            EngineCodes.StepFailed => "A step failed",
            EngineCodes.VerificationFailed => "A step's verification failed",
            EngineCodes.LockRetriesExhausted => "A step could not get its lock",
            _ => "SafeMigrations engine message " + code,
        };

        private static void CreateDirectory(string path)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
        }

        private static string Escape(string text) => Regex.Replace(text, @"\r?\n", " ").Replace("|", "\\|");
    }

    /// <summary>
    /// Finds a migration's source file: the project directory is the nearest one above the assembly with a project
    /// file; in it, a file named after the migration id, or one holding <c>[Migration("id")]</c> (the Designer file
    /// maps to its sibling).
    /// </summary>
    internal sealed class MigrationSourceLocator
    {
        private readonly string? _assemblyPath;
        private readonly string? _projectDirectory;
        private List<string>? _sources;

        public MigrationSourceLocator(string? assemblyPath)
        {
            _assemblyPath = string.IsNullOrEmpty(assemblyPath) ? null : Path.GetFullPath(assemblyPath);
            for (string? directory = _assemblyPath is null ? null : Path.GetDirectoryName(_assemblyPath); directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (Directory.EnumerateFiles(directory, "*.csproj").Any())
                {
                    _projectDirectory = directory;
                    break;
                }
            }
        }

        public (string Uri, int? Line) Locate(string? migrationId)
        {
            string fallback = _assemblyPath is null ? "unknown" : Uri(_assemblyPath);
            if (migrationId is null || _projectDirectory is null)
                return (fallback, null);
            _sources ??= Directory.EnumerateFiles(_projectDirectory, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
                .ToList();
            string? file = _sources.FirstOrDefault(f => string.Equals(Path.GetFileName(f), migrationId + ".cs", StringComparison.OrdinalIgnoreCase));
            string marker = "Migration(\"" + migrationId + "\")";
            if (file is null)
            {
                string? holder = _sources.FirstOrDefault(f => File.ReadAllText(f).Contains(marker));
                if (holder is not null && holder.EndsWith(".Designer.cs", StringComparison.OrdinalIgnoreCase))
                {
                    string sibling = holder.Substring(0, holder.Length - ".Designer.cs".Length) + ".cs";
                    holder = File.Exists(sibling) ? sibling : holder;
                }
                file = holder;
            }
            if (file is null)
                return (fallback, null);
            string[] lines = File.ReadAllLines(file);
            int index = Array.FindIndex(lines, l => l.Contains(marker));
            return (Uri(file), index >= 0 ? index + 1 : (int?)null);
        }

        /// <summary>Relative to the working directory (the repository root in CI) when below it, else an absolute file URI.</summary>
        private static string Uri(string path)
        {
            string current = Directory.GetCurrentDirectory().TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (path.StartsWith(current, StringComparison.Ordinal))
                return path.Substring(current.Length).Replace(Path.DirectorySeparatorChar, '/');
            return new System.Uri(path).AbsoluteUri;
        }
    }
}
