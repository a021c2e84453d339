using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Postgres;

namespace SafeMigrations.Engine.Tests.Connections
{
    /// <summary>
    /// <c>Host=/run/postgresql</c> (a socket directory) is a common production and sidecar setting: the engine's
    /// sessions must open there too, with the settings that do apply to a local socket.
    /// </summary>
    public sealed class UnixSocketConnectionTests
    {
        [Fact]
        public async Task A_socket_directory_host_opens_an_engine_session_with_its_timeouts()
        {
            if (OperatingSystem.IsWindows())
                return; // no Unix-domain sockets from the test server there

            using EphemeralPostgres server = await EphemeralPostgres.StartAsync();
            var socket = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = server.RootDirectory };
            var factory = new EngineConnectionFactory(
                socket.ConnectionString, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

            await using NpgsqlConnection connection = await factory.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT inet_server_addr() IS NULL, current_setting('idle_in_transaction_session_timeout')", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetBoolean(0), "the session runs over the Unix-domain socket, not TCP");
            Assert.Equal("30s", reader.GetString(1));
        }
    }
}
