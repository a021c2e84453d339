using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Postgres
{
    /// <summary>
    /// A throwaway PostgreSQL cluster: initdb into a fresh temporary directory, started on a free loopback port,
    /// stopped and deleted on <see cref="Dispose"/> — and on process exit or Ctrl-C when the owner forgot to.
    /// When running as root the server runs as the <c>postgres</c> system user (created when missing), because
    /// initdb and postgres refuse to run as root.
    /// </summary>
    public sealed class EphemeralPostgres : IDisposable, IAsyncDisposable
    {
        /// <summary>Prefix of the temporary directories; leftovers of dead owners are swept on the next start.</summary>
        public const string DirectoryPrefix = "safemigrations-pg-";

        private const string OwnerFileName = "owner.pid";
        private const string ServerUser = "postgres";

        private static readonly object LiveLock = new object();
        private static readonly HashSet<EphemeralPostgres> Live = new HashSet<EphemeralPostgres>();
        private static bool _exitHooksInstalled;

        private readonly ExternalCommand _command;
        private readonly Action<string> _log;
        private readonly object _disposeGate = new object();
        private int _disposed;

        private EphemeralPostgres(string binDirectory, string rootDirectory, string? runAsUser, Action<string> log)
        {
            BinDirectory = binDirectory;
            RootDirectory = rootDirectory;
            RunAsUser = runAsUser;
            _log = log;
            _command = new ExternalCommand(runAsUser, rootDirectory);
        }

        /// <summary>Directory of the server binaries used.</summary>
        public string BinDirectory { get; }

        /// <summary>The temporary directory holding the data directory, the socket and the server log; deleted on dispose.</summary>
        public string RootDirectory { get; }

        /// <summary>The cluster's data directory.</summary>
        public string DataDirectory => Path.Combine(RootDirectory, "data");

        /// <summary>The server log file.</summary>
        public string LogFile => Path.Combine(RootDirectory, "server.log");

        /// <summary>The system user the server runs as, or null when it runs as the current user.</summary>
        public string? RunAsUser { get; }

        /// <summary>TCP port on 127.0.0.1.</summary>
        public int Port { get; private set; }

        /// <summary>Connection string for the <c>postgres</c> database as the <c>postgres</c> superuser (trust auth, no password).</summary>
        public string ConnectionString => ConnectionStringFor("postgres");

        /// <summary>Connection string for another database of this cluster.</summary>
        public string ConnectionStringFor(string database)
        {
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = Port,
                Username = ServerUser,
                Database = database,
            };
            return builder.ConnectionString;
        }

        /// <summary>Starts a cluster on a thread-pool thread; see <see cref="Start"/>.</summary>
        public static Task<EphemeralPostgres> StartAsync(EphemeralPostgresOptions? options = null, CancellationToken cancellationToken = default)
        {
            return Task.Run(() => Start(options), cancellationToken);
        }

        /// <summary>
        /// Creates and starts a cluster and waits until it accepts connections. Anything created is removed again
        /// when a step fails.
        /// </summary>
        /// <exception cref="PostgresNotFoundException">No server binaries were found.</exception>
        /// <exception cref="EphemeralPostgresException">initdb or the start failed; the message has the output.</exception>
        public static EphemeralPostgres Start(EphemeralPostgresOptions? options = null)
        {
            options ??= new EphemeralPostgresOptions();
            string binDirectory = options.BinDirectory ?? PostgresBinaries.Find();
            if (!PostgresBinaries.HasServerBinaries(binDirectory))
                throw new PostgresNotFoundException($"'{binDirectory}' does not hold initdb, pg_ctl and postgres.");

            Action<string> log = options.Log ?? (_ => { });
            string? runAsUser = NeedsUnprivilegedUser() ? ServerUser : null;
            if (runAsUser is not null)
                EnsureSystemUser(runAsUser, log);

            string baseDirectory = options.BaseDirectory ?? ChooseBaseDirectory(runAsUser is not null);
            SweepOrphans(baseDirectory, binDirectory, runAsUser, log);

            string root = Path.Combine(baseDirectory, DirectoryPrefix + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(root);
            var server = new EphemeralPostgres(binDirectory, root, runAsUser, log);
            try
            {
                File.WriteAllText(Path.Combine(root, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                if (runAsUser is not null)
                    server.GiveToServerUser(root);
                Register(server);
                server.InitializeAndStart(options);
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        /// <summary>Stops the server immediately (no checkpoint; the data is thrown away) and deletes its directory.</summary>
        public void Dispose()
        {
            // A second caller (the Ctrl-C hook and the owner's finally) waits until the first has removed everything:
            // returning early would let the process exit while the directory is still being deleted.
            lock (_disposeGate)
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0)
                    return;
                lock (LiveLock)
                    Live.Remove(this);

                if (Port != 0)
                {
                    // Pooled connections to this server die with it; a later cluster could reuse the port.
                    using var connection = new NpgsqlConnection(ConnectionString);
                    NpgsqlConnection.ClearPool(connection);
                }

                StopServer(BinDirectory, RootDirectory, _command, _log);
                DeleteDirectory(RootDirectory, _log);
            }
        }

        /// <inheritdoc cref="Dispose"/>
        public ValueTask DisposeAsync()
        {
            return new ValueTask(Task.Run(Dispose));
        }

        private void InitializeAndStart(EphemeralPostgresOptions options)
        {
            var stopwatch = Stopwatch.StartNew();
            ExternalCommand.Result initdb = _command.Run(
                Binary(BinDirectory, "initdb"),
                new[] { "-D", DataDirectory, "-U", ServerUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync" },
                options.StartTimeout);
            if (!initdb.Succeeded)
                throw new EphemeralPostgresException($"initdb failed (exit code {initdb.ExitCode}{(initdb.TimedOut ? ", timed out" : string.Empty)}):{Environment.NewLine}{initdb.Output}");
            _log($"initdb {DataDirectory} ({stopwatch.ElapsedMilliseconds} ms)");

            // Another process can take the free port between our probe and the server's bind: try a few ports.
            for (int attempt = 1; ; attempt++)
            {
                Port = FreeLoopbackPort();
                WriteSettings(options);
                TimeSpan remaining = options.StartTimeout - stopwatch.Elapsed;
                ExternalCommand.Result start = _command.Run(
                    Binary(BinDirectory, "pg_ctl"),
                    new[] { "start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", Math.Max(5, (int)remaining.TotalSeconds).ToString(CultureInfo.InvariantCulture) },
                    remaining + TimeSpan.FromSeconds(10));
                if (start.Succeeded)
                    break;

                string logTail = ReadLogTail();
                bool portTaken = logTail.IndexOf("could not bind", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                 logTail.IndexOf("already in use", StringComparison.OrdinalIgnoreCase) >= 0;
                if (!portTaken || attempt >= 5)
                {
                    throw new EphemeralPostgresException(
                        $"PostgreSQL did not start (pg_ctl exit code {start.ExitCode}{(start.TimedOut ? ", timed out" : string.Empty)}):{Environment.NewLine}" +
                        $"{start.Output}{Environment.NewLine}server log ({LogFile}):{Environment.NewLine}{logTail}");
                }
                _log($"port {Port} was taken, retrying on another");
            }

            WaitUntilAcceptingConnections(options.StartTimeout - stopwatch.Elapsed);
            _log($"PostgreSQL started on 127.0.0.1:{Port} in {RootDirectory} ({stopwatch.ElapsedMilliseconds} ms)");
        }

        private void WriteSettings(EphemeralPostgresOptions options)
        {
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var settings = new List<KeyValuePair<string, string>>
            {
                new("listen_addresses", "127.0.0.1"),
                new("port", Port.ToString(CultureInfo.InvariantCulture)),
                // Inside our directory: no clash with a system cluster's /var/run/postgresql, removed with the rest.
                new("unix_socket_directories", windows ? string.Empty : RootDirectory),
                // Throwaway data: durability costs time and buys nothing.
                new("fsync", "off"),
                new("synchronous_commit", "off"),
                new("full_page_writes", "off"),
                new("shared_buffers", "32MB"),
                new("max_connections", "100"),
                new("logging_collector", "off"),
            };
            settings.AddRange(options.Settings);

            // Appended: later lines win, so a retry on another port just appends again.
            var text = new StringBuilder(Environment.NewLine + "# SafeMigrations ephemeral cluster" + Environment.NewLine);
            foreach (KeyValuePair<string, string> setting in settings)
                text.Append(setting.Key).Append(" = '").Append(setting.Value.Replace("'", "''")).Append('\'').Append(Environment.NewLine);
            File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"), text.ToString());
        }

        private void WaitUntilAcceptingConnections(TimeSpan timeout)
        {
            var stopwatch = Stopwatch.StartNew();
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 };
            Exception? last = null;
            do
            {
                try
                {
                    using var connection = new NpgsqlConnection(builder.ConnectionString);
                    connection.Open();
                    using var command = new NpgsqlCommand("select 1", connection);
                    command.ExecuteScalar();
                    return;
                }
                catch (Exception exception) when (exception is NpgsqlException || exception is SocketException || exception is TimeoutException)
                {
                    last = exception;
                    Thread.Sleep(100);
                }
            }
            while (stopwatch.Elapsed < timeout);

            throw new EphemeralPostgresException(
                $"PostgreSQL started but did not accept connections on port {Port}: {last?.Message}{Environment.NewLine}{ReadLogTail()}", last);
        }

        private string ReadLogTail()
        {
            try
            {
                if (!File.Exists(LogFile))
                    return "(no server log)";
                string[] lines = File.ReadAllLines(LogFile);
                return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 30)));
            }
            catch (IOException exception)
            {
                return "(server log unreadable: " + exception.Message + ")";
            }
        }

        private void GiveToServerUser(string directory)
        {
            var root = new ExternalCommand(null, directory);
            ExternalCommand.Result chown = root.Run("chown", new[] { "-R", RunAsUser + ":", directory }, TimeSpan.FromSeconds(30));
            if (!chown.Succeeded)
                throw new EphemeralPostgresException($"could not hand {directory} to the {RunAsUser} user: {chown.Output}");
        }

        private static string Binary(string binDirectory, string name)
        {
            return Path.Combine(binDirectory, PostgresBinaries.ExecutableName(name));
        }

        private static bool NeedsUnprivilegedUser()
        {
            return !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && Environment.IsPrivilegedProcess;
        }

        private static void EnsureSystemUser(string user, Action<string> log)
        {
            var command = new ExternalCommand(null, Path.GetTempPath());
            if (command.Run("id", new[] { "-u", user }, TimeSpan.FromSeconds(10)).Succeeded)
                return;
            ExternalCommand.Result add = command.Run("useradd", new[] { "--system", "--no-create-home", "--shell", "/bin/sh", user }, TimeSpan.FromSeconds(30));
            if (!add.Succeeded)
                throw new EphemeralPostgresException($"PostgreSQL refuses to run as root and the '{user}' system user could not be created (useradd: {add.Output}). Create it, or run as a non-root user.");
            log($"created system user '{user}'");
        }

        /// <summary>As root, the postgres user must be able to reach the directory: fall back to /tmp when the temp folder is private.</summary>
        private static string ChooseBaseDirectory(bool serverRunsAsOtherUser)
        {
            string temp = Path.GetTempPath();
            if (!serverRunsAsOtherUser || OperatingSystem.IsWindows())
                return temp;
            for (DirectoryInfo? directory = new DirectoryInfo(temp); directory is not null; directory = directory.Parent)
            {
                if ((File.GetUnixFileMode(directory.FullName) & UnixFileMode.OtherExecute) == 0)
                    return "/tmp";
            }
            return temp;
        }

        internal static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "Kills the postmaster named by its pid file when pg_ctl stop failed; not a running check.")]
        private static void StopServer(string binDirectory, string root, ExternalCommand command, Action<string> log)
        {
            string data = Path.Combine(root, "data");
            string pidFile = Path.Combine(data, "postmaster.pid");
            if (!File.Exists(pidFile))
                return;

            ExternalCommand.Result stop = command.Run(Binary(binDirectory, "pg_ctl"), new[] { "stop", "-D", data, "-m", "immediate", "-w", "-t", "20" }, TimeSpan.FromSeconds(30));
            if (stop.Succeeded || !File.Exists(pidFile))
            {
                log($"PostgreSQL in {root} stopped");
                return;
            }

            // pg_ctl failed: kill the postmaster this data directory names (its children exit with it).
            try
            {
                string firstLine = File.ReadLines(pidFile).FirstOrDefault() ?? string.Empty;
                if (int.TryParse(firstLine.Trim(), out int pid))
                {
                    using Process process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(10_000);
                    log($"PostgreSQL in {root} killed (pg_ctl stop failed: {stop.Output})");
                }
            }
            catch (Exception exception) when (exception is ArgumentException || exception is InvalidOperationException || exception is IOException || exception is System.ComponentModel.Win32Exception)
            {
                log($"could not stop PostgreSQL in {root}: {stop.Output} / {exception.Message}");
            }
        }

        private static void DeleteDirectory(string directory, Action<string> log)
        {
            for (int attempt = 1; attempt <= 5; attempt++)
            {
                try
                {
                    if (Directory.Exists(directory))
                        Directory.Delete(directory, recursive: true);
                    return;
                }
                catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
                {
                    if (attempt == 5)
                        log($"could not delete {directory}: {exception.Message}");
                    else
                        Thread.Sleep(200 * attempt);
                }
            }
        }

        /// <summary>Stops and deletes clusters left by owners that died without cleaning up (killed with SIGKILL, power loss).</summary>
        private static void SweepOrphans(string baseDirectory, string binDirectory, string? runAsUser, Action<string> log)
        {
            string[] candidates;
            try
            {
                candidates = Directory.GetDirectories(baseDirectory, DirectoryPrefix + "*");
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                return;
            }

            foreach (string directory in candidates)
            {
                string ownerFile = Path.Combine(directory, OwnerFileName);
                try
                {
                    if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile).Trim(), out int owner) || LocalProcess.IsRunning(owner))
                        continue;
                }
                catch (IOException)
                {
                    continue;
                }

                log($"removing orphaned cluster {directory}");
                StopServer(binDirectory, directory, new ExternalCommand(runAsUser, directory), log);
                DeleteDirectory(directory, log);
            }
        }

        private static void Register(EphemeralPostgres server)
        {
            lock (LiveLock)
            {
                Live.Add(server);
                if (_exitHooksInstalled)
                    return;
                _exitHooksInstalled = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeLive();
                // Ctrl-C terminates the process after the handlers run; stop the servers first.
                Console.CancelKeyPress += (_, _) => DisposeLive();
            }
        }

        private static void DisposeLive()
        {
            EphemeralPostgres[] servers;
            lock (LiveLock)
                servers = Live.ToArray();
            foreach (EphemeralPostgres server in servers)
                server.Dispose();
        }
    }
}
