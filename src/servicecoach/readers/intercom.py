from servicecoach.readers.connect import ConnectReader
class R(ConnectReader):
    name = 'intercom'
    def sniff(self, s, h): return False
READER = R()
