using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// A loopback TCP proxy in front of the test server that can stall one connection the way a dead network path
    /// does: once a client message matches, that message is forwarded and then nothing more moves in either direction,
    /// while both sockets stay open (no FIN, no RST: the peers cannot tell a stall from a slow answer).
    /// </summary>
    internal sealed class SessionStallProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly string _targetHost;
        private readonly int _targetPort;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _sockets = new();
        private readonly TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Func<string, bool>? _freezeWhen;
        private int _matches;
        private int _freezeAt;

        private SessionStallProxy(string targetHost, int targetPort)
        {
            _targetHost = targetHost;
            _targetPort = targetPort;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        /// <summary>Starts a proxy to the server of <paramref name="connectionString"/>.</summary>
        public static SessionStallProxy Start(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return new SessionStallProxy(builder.Host!, builder.Port);
        }

        /// <summary><paramref name="connectionString"/>, pointed at the proxy.</summary>
        public string Through(string connectionString)
            => new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.ConnectionString;

        /// <summary>Completes when a connection has stalled.</summary>
        public Task Frozen => _frozen.Task;

        /// <summary>Stalls the connection whose client sends the <paramref name="occurrence"/>-th message matching <paramref name="when"/>, right after forwarding it.</summary>
        public void FreezeOn(Func<string, bool> when, int occurrence)
        {
            _freezeAt = occurrence;
            _freezeWhen = when;
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                var server = new TcpClient();
                await server.ConnectAsync(_targetHost, _targetPort);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                }
                var pair = new Pair();
                _ = PumpAsync(client.GetStream(), server.GetStream(), pair, fromClient: true);
                _ = PumpAsync(server.GetStream(), client.GetStream(), pair, fromClient: false);
            }
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, Pair pair, bool fromClient)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                        break;
                    bool freezeAfter = false;
                    if (fromClient && !pair.Frozen && _freezeWhen is Func<string, bool> when && when(Encoding.UTF8.GetString(buffer, 0, read)))
                        freezeAfter = Interlocked.Increment(ref _matches) == _freezeAt;
                    if (pair.Frozen)
                        await Task.Delay(Timeout.Infinite, _stop.Token); // hold it: never forwarded, never closed
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    if (freezeAfter)
                    {
                        pair.Frozen = true;
                        _frozen.TrySetResult();
                    }
                }
                if (!pair.Frozen)
                    to.Socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception exception) when (exception is System.IO.IOException || exception is SocketException || exception is ObjectDisposedException)
            {
                // A peer closed: nothing to forward any more.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (TcpClient socket in _sockets)
                    socket.Dispose();
            }
            await Task.Yield();
        }

        private sealed class Pair
        {
            public volatile bool Frozen;
        }
    }
}
