using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Postgres;

namespace SafeMigrations.Engine.Tests.Scripting
{
    /// <summary>Runs a script file the way a DBA would: <c>psql -X -v ON_ERROR_STOP=1 -f file</c>, psql found next to the server binaries.</summary>
    internal static class Psql
    {
        /// <summary>psql beside the server binaries the fixture uses, or beside the files they link to (/usr/local/bin holds links only), or on PATH.</summary>
        private static string Find()
        {
            string directory = PostgresBinaries.Find();
            string initdb = Path.Combine(directory, PostgresBinaries.ExecutableName("initdb"));
            string? linked = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            foreach (string? candidate in new[] { directory, linked is null ? null : Path.GetDirectoryName(linked) })
            {
                string psql = Path.Combine(candidate ?? string.Empty, PostgresBinaries.ExecutableName("psql"));
                if (candidate is not null && File.Exists(psql))
                    return psql;
            }
            return "psql";
        }

        public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, string script)
        {
            string file = Path.Combine(Path.GetTempPath(), "sm-script-" + Guid.NewGuid().ToString("N") + ".sql");
            await File.WriteAllTextAsync(file, script);
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                var start = new ProcessStartInfo(Find())
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (string argument in new[] { "-X", "-v", "ON_ERROR_STOP=1", "-f", file })
                    start.ArgumentList.Add(argument);
                start.Environment["PGHOST"] = builder.Host;
                start.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                start.Environment["PGUSER"] = builder.Username;
                start.Environment["PGDATABASE"] = builder.Database;
                if (builder.Password is not null)
                    start.Environment["PGPASSWORD"] = builder.Password;
                using var process = Process.Start(start)!;
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                return (process.ExitCode, await stdout + await stderr);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
