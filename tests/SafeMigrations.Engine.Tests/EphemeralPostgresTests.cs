using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Postgres;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    public sealed class EphemeralPostgresTests
    {
        private readonly ITestOutputHelper _output;

        public EphemeralPostgresTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public async Task Starts_answers_queries_and_dispose_removes_directory_and_closes_port()
        {
            var stopwatch = Stopwatch.StartNew();
            var server = EphemeralPostgres.Start(new EphemeralPostgresOptions { Log = _output.WriteLine });
            _output.WriteLine($"start took {stopwatch.ElapsedMilliseconds} ms");
            string root = server.RootDirectory;
            int port = server.Port;
            try
            {
                Assert.True(Directory.Exists(server.DataDirectory));
                await using var connection = new NpgsqlConnection(server.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("select version()", connection);
                string version = (string)(await command.ExecuteScalarAsync())!;
                _output.WriteLine(version);
                Assert.StartsWith("PostgreSQL", version);

                // Listens on loopback only, with the socket inside our directory.
                await using var settings = new NpgsqlCommand("select current_setting('listen_addresses') || ' ' || current_setting('unix_socket_directories')", connection);
                Assert.Equal("127.0.0.1 " + root, (string)(await settings.ExecuteScalarAsync())!);
            }
            finally
            {
                server.Dispose();
            }

            Assert.False(Directory.Exists(root), "the cluster directory is deleted");
            using var client = new TcpClient();
            Assert.ThrowsAny<SocketException>(() => client.Connect("127.0.0.1", port));
            server.Dispose(); // twice is harmless
        }

        [Fact]
        public async Task Two_instances_run_side_by_side()
        {
            Task<EphemeralPostgres> first = EphemeralPostgres.StartAsync();
            Task<EphemeralPostgres> second = EphemeralPostgres.StartAsync();
            using EphemeralPostgres a = await first;
            using EphemeralPostgres b = await second;

            Assert.NotEqual(a.Port, b.Port);
            Assert.NotEqual(a.RootDirectory, b.RootDirectory);
            await ExecuteAsync(a.ConnectionString, "create table only_in_a (id int)");
            Assert.Equal(1L, await ScalarAsync(a.ConnectionString, "select count(*) from pg_tables where tablename = 'only_in_a'"));
            Assert.Equal(0L, await ScalarAsync(b.ConnectionString, "select count(*) from pg_tables where tablename = 'only_in_a'"));
        }

        [Fact]
        public void A_failed_start_leaves_nothing_behind()
        {
            string baseDirectory = CreateBaseDirectory();
            try
            {
                var options = new EphemeralPostgresOptions { BaseDirectory = baseDirectory };
                options.Settings["shared_buffers"] = "not a size";
                var exception = Assert.Throws<EphemeralPostgresException>(() => EphemeralPostgres.Start(options));
                _output.WriteLine(exception.Message);
                Assert.Contains("shared_buffers", exception.Message);
                Assert.Empty(Directory.GetFileSystemEntries(baseDirectory));
            }
            finally
            {
                Directory.Delete(baseDirectory, recursive: true);
            }
        }

        [Fact]
        public void A_directory_left_by_a_dead_owner_is_swept_on_the_next_start()
        {
            string baseDirectory = CreateBaseDirectory();
            try
            {
                using Process exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                exited.WaitForExit();
                string orphan = Path.Combine(baseDirectory, EphemeralPostgres.DirectoryPrefix + "orphan");
                Directory.CreateDirectory(orphan);
                File.WriteAllText(Path.Combine(orphan, "owner.pid"), exited.Id.ToString());
                string alive = Path.Combine(baseDirectory, EphemeralPostgres.DirectoryPrefix + "alive");
                Directory.CreateDirectory(alive);
                File.WriteAllText(Path.Combine(alive, "owner.pid"), Environment.ProcessId.ToString());

                using (EphemeralPostgres.Start(new EphemeralPostgresOptions { BaseDirectory = baseDirectory }))
                {
                    Assert.False(Directory.Exists(orphan), "a dead owner's cluster is removed");
                    Assert.True(Directory.Exists(alive), "a live owner's cluster is left alone");
                }
            }
            finally
            {
                Directory.Delete(baseDirectory, recursive: true);
            }
        }

        [Fact]
        public void Missing_binaries_give_an_install_hint()
        {
            var exception = Assert.Throws<PostgresNotFoundException>(() =>
                PostgresBinaries.Find("/nonexistent/pg/bin", path: string.Empty, searchInstallFolders: false));
            _output.WriteLine(exception.Message);
            Assert.Contains("apt-get install postgresql", exception.Message);
            Assert.Contains("brew install postgresql", exception.Message);
            Assert.Contains("PG_BIN", exception.Message);
            Assert.Contains("/nonexistent/pg/bin", exception.Message);
        }

        [Fact]
        public void Finds_the_local_binaries()
        {
            string directory = PostgresBinaries.Find();
            _output.WriteLine(directory);
            Assert.True(PostgresBinaries.HasServerBinaries(directory));
        }

        private static string CreateBaseDirectory()
        {
            // Under /tmp, not a private temp folder: as root the server runs as postgres and must reach it.
            string directory = Path.Combine(OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp", "sm-pg-test-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(directory);
            return directory;
        }

        private static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        private static async Task<long> ScalarAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }
}
