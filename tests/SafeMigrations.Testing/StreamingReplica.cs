using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Postgres;

namespace SafeMigrations.Testing;

/// <summary>
/// A hot standby streaming from a primary: <c>pg_basebackup -R</c> of the primary into a temporary directory, started on
/// a free loopback port (as the <c>postgres</c> user when running as root, like <see cref="EphemeralPostgres"/>),
/// stopped and deleted on dispose. Built from the shared fixture's server, whose defaults already allow it (initdb's
/// <c>wal_level = replica</c>, <c>max_wal_senders = 10</c>, a trusted <c>replication</c> line for 127.0.0.1), so the
/// shared server's configuration is not touched; without a replication slot, nothing stays behind on the primary.
/// </summary>
public sealed class StreamingReplica : IAsyncDisposable
{
    /// <summary>The standby's <c>cluster_name</c>, which its WAL receiver reports as <c>application_name</c>.</summary>
    public const string Name = "standby1";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly ExternalCommand _command;
    private readonly string _binDirectory;
    private readonly string _primaryConnectionString;
    private readonly Action<string> _log;

    private StreamingReplica(string binDirectory, string root, string? runAsUser, string primaryConnectionString, Action<string> log)
    {
        _binDirectory = binDirectory;
        RootDirectory = root;
        _command = new ExternalCommand(runAsUser, root);
        _primaryConnectionString = primaryConnectionString;
        _log = log;
    }

    /// <summary>Holds the standby's data directory and log; deleted on dispose.</summary>
    public string RootDirectory { get; }

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>TCP port of the standby on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string to the standby's <c>postgres</c> database (read-only; for pausing and resuming replay).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Takes a base backup of the primary (a trust-auth superuser connection string), starts it as a standby and waits until it streams.</summary>
    public static async Task<StreamingReplica> StartAsync(string primaryConnectionString, Action<string>? log = null)
    {
        var primary = new NpgsqlConnectionStringBuilder(primaryConnectionString);
        string binDirectory = PostgresBinaries.Find();
        if (!File.Exists(Path.Combine(binDirectory, "pg_basebackup")))
        {
            // A folder of links to the server programs (e.g. /usr/local/bin): the installation they point into has the rest.
            string pgCtl = Path.Combine(binDirectory, "pg_ctl");
            binDirectory = Path.GetDirectoryName(new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl)!;
        }
        string? runAsUser = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && Environment.IsPrivilegedProcess ? "postgres" : null;
        string baseDirectory = runAsUser is null ? Path.GetTempPath() : "/tmp";
        // The EphemeralPostgres prefix and owner file: a later start sweeps this directory if the test process dies.
        string root = Path.Combine(baseDirectory, EphemeralPostgres.DirectoryPrefix + "replica-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var replica = new StreamingReplica(binDirectory, root, runAsUser, primaryConnectionString, log ?? (_ => { }));
        try
        {
            if (runAsUser is not null)
            {
                // As root: the server user must own the directory it backs up into.
                ExternalCommand.Result chown = new ExternalCommand(null, root).Run("chown", new[] { "-R", runAsUser + ":", root }, CommandTimeout);
                if (!chown.Succeeded)
                {
                    throw new InvalidOperationException($"could not hand {root} to {runAsUser}: {chown.Output}");
                }
            }

            var clock = Stopwatch.StartNew();
            replica.Run(
                Path.Combine(binDirectory, "pg_basebackup"),
                "-D", replica.DataDirectory, "-R", "-X", "stream", "-c", "fast", "--no-sync",
                "-h", primary.Host ?? "127.0.0.1", "-p", primary.Port.ToString(CultureInfo.InvariantCulture), "-U", primary.Username ?? "postgres");
            replica.Port = EphemeralPostgres.FreeLoopbackPort();
            // Appended after the primary's copied settings: later lines win.
            File.AppendAllText(Path.Combine(replica.DataDirectory, "postgresql.conf"), string.Join(Environment.NewLine, new[]
            {
                string.Empty,
                "# SafeMigrations streaming replica",
                $"port = {replica.Port}",
                "listen_addresses = '127.0.0.1'",
                $"unix_socket_directories = '{root}'",
                $"cluster_name = '{Name}'",
                "hot_standby = on",
                // The primary learns the replay position from the standby's status messages: every second, not every 10.
                "wal_receiver_status_interval = '1s'",
                string.Empty,
            }));
            replica.Run(Path.Combine(binDirectory, "pg_ctl"), "start", "-D", replica.DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60");
            replica.ConnectionString = new NpgsqlConnectionStringBuilder(primaryConnectionString) { Host = "127.0.0.1", Port = replica.Port, Database = "postgres", Pooling = false }.ConnectionString;
            await replica.WaitUntilStreamingAsync();
            replica._log($"standby '{Name}' streaming on 127.0.0.1:{replica.Port} ({clock.ElapsedMilliseconds} ms)");
            return replica;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops replaying WAL (it is still received): the primary's <c>pg_stat_replication.replay_lsn</c> stands still.</summary>
    public Task PauseReplayAsync() => OnStandbyAsync("select pg_wal_replay_pause()");

    /// <summary>Replays again, catching up on what arrived meanwhile.</summary>
    public Task ResumeReplayAsync() => OnStandbyAsync("select pg_wal_replay_resume()");

    /// <summary>
    /// Waits until the primary's <c>pg_stat_replication</c> shows the standby has replayed everything the primary had
    /// written when this was called (the primary learns it from the standby's next status message).
    /// </summary>
    public async Task WaitForReplayAsync(TimeSpan timeout)
    {
        await using var primary = new NpgsqlConnection(_primaryConnectionString);
        await primary.OpenAsync();
        await using var target = new NpgsqlCommand("select pg_current_wal_lsn()::text", primary);
        string lsn = (string)(await target.ExecuteScalarAsync())!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var replayed = new NpgsqlCommand($"select coalesce(bool_or(replay_lsn >= '{lsn}'::pg_lsn), false) from pg_stat_replication where application_name = '{Name}'", primary);
            if ((bool)(await replayed.ExecuteScalarAsync())!)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"standby '{Name}' did not replay up to {lsn} within {timeout.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the standby at once and deletes its directory.</summary>
    public ValueTask DisposeAsync()
    {
        return new ValueTask(Task.Run(() =>
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                ExternalCommand.Result stop = _command.Run(Path.Combine(_binDirectory, "pg_ctl"), new[] { "stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "20" }, CommandTimeout);
                _log(stop.Succeeded ? $"standby '{Name}' stopped" : $"standby '{Name}' did not stop: {stop.Output}");
            }

            try
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                _log($"could not delete {RootDirectory}: {exception.Message}");
            }
        }));
    }

    private async Task WaitUntilStreamingAsync()
    {
        var clock = Stopwatch.StartNew();
        await using var primary = new NpgsqlConnection(_primaryConnectionString);
        await primary.OpenAsync();
        while (true)
        {
            await using var streaming = new NpgsqlCommand($"select exists (select 1 from pg_stat_replication where application_name = '{Name}' and state = 'streaming')", primary);
            if ((bool)(await streaming.ExecuteScalarAsync())!)
            {
                return;
            }

            if (clock.Elapsed > CommandTimeout)
            {
                throw new InvalidOperationException($"standby '{Name}' did not start streaming within {CommandTimeout.TotalSeconds} s; see {Path.Combine(RootDirectory, "server.log")}");
            }

            await Task.Delay(50);
        }
    }

    private async Task OnStandbyAsync(string sql)
    {
        await using var standby = new NpgsqlConnection(ConnectionString);
        await standby.OpenAsync();
        await using var command = new NpgsqlCommand(sql, standby);
        await command.ExecuteNonQueryAsync();
    }

    private void Run(string executable, params string[] arguments)
    {
        ExternalCommand.Result result = _command.Run(executable, arguments, CommandTimeout);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed (exit code {result.ExitCode}{(result.TimedOut ? ", timed out" : string.Empty)}): {result.Output}");
        }
    }
}
