from servicecoach.readers.connect import ConnectReader
class R(ConnectReader):
    name = 'openai'
    def sniff(self, s, h): return False
READER = R()
